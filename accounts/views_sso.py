"""The site's side of single sign-on: the buttons' target, which starts a provider's sign-in
(optionally for an invite), and the pages a provider's return can end on."""

import re
from urllib.parse import urlsplit

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.http import status_for
from accounts.invites import InviteUnavailable, invite_check
from accounts.models import INVITE_CODE_PATTERN, Invite

PROVIDER_UNREACHABLE = (
    "Your organisation's sign-in service did not answer. Try again in a moment, or tell an administrator."
)
SIGN_IN_CANCELLED = "Sign-in with your organisation was cancelled."


def sso_providers() -> list[dict]:
    """The configured OpenID Connect providers, for the sign-in and invite pages' buttons."""
    return [{"id": app["provider_id"], "label": app["name"]} for app in settings.SOCIALACCOUNT_PROVIDERS[
        "openid_connect"]["APPS"]]


def provider_origins() -> list[str]:
    origins = []
    for app in settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]:
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


class ProviderButtonsMixin:
    """For pages with provider buttons: the browser follows the button's post to the provider,
    which the Content-Security-Policy's form-action must allow (each issuer's origin)."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(sso_providers=sso_providers(), **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        origins = provider_origins()
        if origins:
            response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", "form-action 'self' " + " ".join(origins)
            )
        return response


class SsoStartView(View):
    """POST (CSRF) from a provider's button: off to the provider, back at allauth's callback."""

    http_method_names = ["post"]

    def post(self, request, provider_id):
        try:
            provider = get_adapter(request).get_provider(request, provider_id)
        except SocialApp.DoesNotExist:
            raise Http404("No such sign-in provider.") from None
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = None
        data = {}
        code = request.POST.get("invite", "")
        if code:
            if not re.fullmatch(INVITE_CODE_PATTERN, code):
                raise Http404("No such invite.")
            invite = get_object_or_404(Invite, code=code)
            try:
                invite_check(invite)
            except InviteUnavailable as refusal:
                return render(request, "accounts/sso_refused.html", {"message": refusal.message},
                              status=status_for(refusal))
            data["invite"] = code
        try:
            return provider.redirect(request, AuthProcess.LOGIN, next_url=next_url, data=data)
        except (requests.RequestException, ValueError, KeyError):
            return render(request, "accounts/sso_refused.html", {"message": PROVIDER_UNREACHABLE}, status=502)


class SsoCancelledView(View):
    def get(self, request):
        messages.info(request, SIGN_IN_CANCELLED)
        return redirect("accounts:login")
