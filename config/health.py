"""Is this instance able to serve? `/healthz` (readiness), `/livez` (liveness) and `manage.py healthcheck`."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if is_healthy(report) else 503)


@never_cache
@require_GET
def livez(request):
    """Liveness: the process answers; touches neither the database nor the storage (see healthz)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
