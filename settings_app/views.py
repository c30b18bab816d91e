from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from settings_app.health import health_report, is_healthy


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
