"""Is this instance able to serve? The database answers and the document storage takes a write."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection


def health_report() -> dict[str, str]:
    report = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy", reported by name
        report["database"] = f"error: {type(error).__name__}"
    try:
        name = default_storage.save(f"healthcheck/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        default_storage.delete(name)
        report["storage"] = "ok"
    except Exception as error:  # noqa: BLE001
        report["storage"] = f"error: {type(error).__name__}"
    return report


def is_healthy(report: dict[str, str]) -> bool:
    return all(value == "ok" for value in report.values())
