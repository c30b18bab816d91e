from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from settings_app.health import health_report, is_healthy


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if is_healthy(report) else 503)
