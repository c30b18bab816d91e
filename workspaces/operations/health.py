"""Is this instance able to serve? `/healthz` (readiness), `/livez` (liveness) and `manage.py healthcheck`.

Readiness needs the database and the document storage; both are checked without writing
anything (an anonymous probe must not create files). The cache is reported too, but only
as information: pages work without it (config/cache.py), so `"cache": "down"` keeps the
status 200 and a load balancer keeps sending traffic; alert on the field instead.
"""

import os

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

REQUIRED = ("database", "storage")


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
        report["storage"] = _storage_state()
    except Exception as error:  # noqa: BLE001
        report["storage"] = f"error: {type(error).__name__}"
    report["cache"] = _cache_state()
    return report


def _storage_state() -> str:
    """A local folder must be writable (or creatable); any other storage must answer a listing."""
    location = getattr(default_storage, "location", None)
    if location is None:
        default_storage.listdir("")
        return "ok"
    path = os.path.abspath(location)
    while not os.path.exists(path):  # not created yet: the storage creates it on the first upload
        path = os.path.dirname(path)
    if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
        return "error: not writable"
    return "ok"


def _cache_state() -> str:
    ping = getattr(cache, "ping", None)  # the Redis backend (config/cache.py); local caches are always up
    if ping is None:
        return "ok"
    return "ok" if ping() else "down"


def is_healthy(report: dict[str, str]) -> bool:
    return all(report.get(name) == "ok" for name in REQUIRED)


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
