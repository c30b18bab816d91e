from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils import translation

from accounts.models import User

HAS_USERS_CACHE_KEY = "accounts:has-users"


def has_users() -> bool:
    """Whether first-run setup is over; once true it is remembered in the shared cache."""
    if cache.get(HAS_USERS_CACHE_KEY):
        return True
    exists = User.objects.exists()
    if exists:
        cache.set(HAS_USERS_CACHE_KEY, True, timeout=None)
    return exists


def has_users_forget() -> None:
    cache.delete(HAS_USERS_CACHE_KEY)


def _first_run_exempt() -> tuple[str, ...]:
    # The API answers 401, not a page; the setup page needs its scripts and their words (/jsi18n/).
    return ("/setup/", settings.STATIC_URL, "/healthz", "/livez", "/api/", "/jsi18n/")


class FirstRunMiddleware:
    """While no user exists, every page leads to /setup/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(_first_run_exempt()) and not has_users():
            return redirect("accounts:setup")
        return self.get_response(request)


class AccountLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's (LocaleMiddleware, before this one,
    follows Accept-Language); an empty choice leaves the browser's. The admin stays in English, the one
    language all of its pages are written in (not Django's German frame around English forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if request.path_info.startswith("/admin/"):
            language = settings.LANGUAGE_CODE
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
