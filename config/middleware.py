from django.conf import settings
from django.http import HttpResponseBadRequest

from accounts.base import DocentError
from workspaces.api.errors import problem_response

NUL_IN_QUERY = "The address contains a NUL character, which no Docent page accepts."


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline or third-party scripts) and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class RejectNulQueryMiddleware:
    """A query string carrying a NUL character (`?status=%00`) is answered 400 before any view
    runs: PostgreSQL refuses NUL in text, so a filter or search term holding one would fail
    deep inside a query (the admin's filters and autocomplete among them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            if request.path_info.startswith("/api/"):
                return problem_response(request, DocentError(NUL_IN_QUERY))
            return HttpResponseBadRequest(NUL_IN_QUERY, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
