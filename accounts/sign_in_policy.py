"""Who may sign in how: the system settings that single sign-on and two-factor follow.

The values are system settings (`settings_app`, a layer above this one), so `settings_app`
registers the function that reads them when Django starts; until then (and in a process that
never loads it) the defaults below hold: nothing required, no domain admitted.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from accounts.roles import Role

SSO_ONLY = "This Docent signs in with single sign-on: use your organisation's button, or your directory password."


@dataclass(frozen=True)
class SignInPolicy:
    # Unknown identities with a verified address in one of these domains get an account.
    allowed_email_domains: frozenset = frozenset()
    # Local passwords refused for everyone but the break-glass admin (needs a provider or LDAP).
    sso_required: bool = False
    break_glass_username: str = ""
    # Admins and managers who sign in with a local password must use a second factor.
    second_factor_required_for_staff: bool = False


_source: list[Callable[[], SignInPolicy]] = []


def sign_in_policy_register(source: Callable[[], SignInPolicy]) -> None:
    _source[:] = [source]


def sign_in_policy() -> SignInPolicy:
    return _source[0]() if _source else SignInPolicy()


def email_domains(text: str) -> frozenset:
    """`example.com, Example.org` -> {"example.com", "example.org"} (commas, spaces or lines)."""
    return frozenset(part.strip().lstrip("@").lower() for part in text.replace(",", " ").split() if part.strip())


def sso_available() -> bool:
    """Whether anyone can sign in other than with a local password (a provider or LDAP is set up)."""
    return bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]) or bool(settings.LDAP_SERVER_URI)


def local_password_allowed(user) -> bool:
    """False when single sign-on is required (and possible) and `user` is not the break-glass admin."""
    policy = sign_in_policy()
    if not policy.sso_required or not sso_available():
        return True
    break_glass = policy.break_glass_username
    return user.role == Role.ADMIN and bool(break_glass) and user.username == break_glass


def local_password_accounts_allowed() -> bool:
    """False when single sign-on is required (and possible): a new account with a local password
    could never sign in, so invites are claimed through the provider instead."""
    policy = sign_in_policy()
    return not (policy.sso_required and sso_available())
