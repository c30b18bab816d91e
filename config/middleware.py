import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest

from accounts.base import DocentError
from workspaces.api.errors import problem_response

NUL_IN_QUERY = "The address contains a NUL character, which no Docent page accepts."
NUL_IN_BODY = "The request's JSON holds a NUL character, which Docent does not accept in any text."
# The OpenAI-compatible endpoint checks its own path and body and answers in OpenAI's error shape.
OWN_CHECKS = ("/api/openai/",)


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
    """An address (`/w/a%00b/`, `?status=%00`) or a JSON body carrying a NUL character is
    answered 400 before any view runs: PostgreSQL refuses NUL in text, so a slug, filter, search
    term or API field holding one would fail deep inside a query. (Site forms refuse NUL by
    themselves: Django's form fields do.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        checks_its_own = request.path_info.startswith(OWN_CHECKS)
        in_query = any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
        message = None
        if in_query or (not checks_its_own and "\x00" in request.path_info):
            message = NUL_IN_QUERY
        elif not checks_its_own and _json_body_holds_nul(request):
            message = NUL_IN_BODY
        if message is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return problem_response(request, DocentError(message))
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _json_body_holds_nul(request) -> bool:
    if request.content_type != "application/json":
        return False
    try:
        pending = [json.loads(request.body or b"null")]
    except (ValueError, RecursionError, RequestDataTooBig):
        return False  # not JSON, or too large: the view refuses it in its own words
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
