"""django-allauth, bent to Docent's rules: allauth runs the OpenID Connect dance (discovery,
state, PKCE, the ID token's signature); `accounts.sso` decides who the identity signs in as.

Allauth's own pages (its sign-in, sign-up, e-mail and two-factor pages) are not mounted: the
site's sign-in page starts each provider (accounts.views_sso) and local passwords keep Docent's
lockout; allauth's login stages are off because a provider does its own second factor.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render

from accounts.group_sync import groups_normalize
from accounts.http import status_for
from accounts.sso import Identity, SsoRefused, identity_sign_in


class DocentAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # accounts come from setup, invites, and accounts.sso's rules

    def get_login_stages(self):
        return []

    def add_message(self, *args, **kwargs):
        pass  # the site says what happened in its own words


def identity_from(sociallogin) -> Identity:
    """The claims of the ID token and the userinfo answer (the latter wins), as an Identity."""
    data = sociallogin.account.extra_data or {}
    claims = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})} if (
        "id_token" in data or "userinfo" in data) else data
    return Identity(
        source=f"oidc:{sociallogin.account.provider}",
        subject=str(sociallogin.account.uid),
        email=str(claims.get("email") or "").strip(),
        email_verified=parse_bool_safely(claims.get("email_verified")),
        preferred_username=str(claims.get("preferred_username") or ""),
        groups=groups_normalize(claims.get(settings.OIDC_GROUPS_CLAIM)),
    )


class DocentSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False  # pre_social_login has found or made the account, or refused

    def pre_social_login(self, request, sociallogin):
        known = sociallogin.user if sociallogin.is_existing else None
        invite_code = (sociallogin.state.get("data") or {}).get("invite")
        try:
            user, is_new_link = identity_sign_in(
                identity=identity_from(sociallogin), known=known, request=request, invite_code=invite_code
            )
        except SsoRefused as refusal:
            response = render(request, "accounts/sso_refused.html", {"message": refusal.message},
                              status=status_for(refusal))
            raise ImmediateHttpResponse(response) from None
        if is_new_link:
            sociallogin.connect(request, user)
        sociallogin.user = sociallogin.account.user = user

    def send_notification_mail(self, *args, **kwargs):
        pass  # no mail about a linked identity: the audit trail records it

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        pass
