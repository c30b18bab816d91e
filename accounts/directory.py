"""LDAP sign-in (django-auth-ldap): a password that is not the account's local one is tried
against the directory when LDAP_SERVER_URI is set, and a directory user signs in under the same
rules as single sign-on (accounts.sso): an unknown one gets an account only when allowed, a
suspended one stays out, and their groups (groupOfNames cn) map to roles and workspaces at every
sign-in. Directory accounts have no local password.
"""

from django.conf import settings

from accounts.group_sync import groups_normalize
from accounts.models import User
from accounts.sso import Identity, identity_sign_in


def _identity(username: str, ldap_user) -> Identity:
    mail = (ldap_user.attrs or {}).get("mail") or [""]
    return Identity(
        source="ldap", subject=ldap_user.dn or username, email=mail[0], email_verified=bool(mail[0]),
        preferred_username=username, groups=groups_normalize(ldap_user.group_names),
    )


def directory_sign_in(*, request, username: str, password: str) -> User | None:
    """The account the directory signs `username` in to with `password`; None when the directory
    says no (or is not set up, or cannot be reached). Raises accounts.sso.SsoRefused."""
    if not settings.LDAP_SERVER_URI or not password:
        return None
    # python-ldap is optional (requirements-ldap.txt): loaded only where a directory is set up.
    from accounts.directory_backend import DirectoryBackend, LDAPError, UnknownToDocent

    try:
        user = DirectoryBackend().authenticate(request, username=username, password=password)
    except UnknownToDocent as unknown:
        user, _ = identity_sign_in(identity=_identity(username, unknown.ldap_user), known=None, request=request)
        return user
    except LDAPError:
        return None
    if user is None:
        return None
    user, _ = identity_sign_in(identity=_identity(username, user.ldap_user), known=user, request=request)
    return user
