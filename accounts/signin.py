"""Signing in, whichever page is used (`/login/`, `/admin/login/`): lockout, one password hash, audit.

Lockout follows django-axes' `AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]`:
too many failures for one username *from one address*, or from one address for any
usernames, lock that pair or that address for a while. A stranger's failures from
elsewhere never lock the owner out. The counts are read from the audit trail in the
database, so every gunicorn worker and host sees the same numbers.

Every path costs exactly one password hash (an unknown username hashes a dummy), so
neither the time taken nor the message tells whether an account exists or is suspended
until the right password is given.

Limits: settings LOGIN_FAILURE_LIMIT (per username and address), LOGIN_FAILURE_LIMIT_PER_IP
and LOGIN_FAILURE_WINDOW_SECONDS; a successful sign-in resets its pair's count.
"""

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record, client_ip
from accounts.base import DocentError
from accounts.directory import directory_sign_in
from accounts.lockout import (  # noqa: F401  (the messages are the sign-in page's too)
    LOCKED_OUT,
    SERVICE_ACCOUNT_MESSAGE,
    SUSPENDED_MESSAGE,
    is_locked_out,
    lockout_minutes,
)
from accounts.models import AuditAction, User
from accounts.sign_in_policy import SSO_ONLY, local_password_allowed
from accounts.sso import SsoRefused
from accounts.validators import normalize_username

INVALID_LOGIN = gettext_noop("That username and password do not match an account.")


class SignInRefused(DocentError):
    """code: "invalid" (unknown user or wrong password), "locked_out", "suspended" or
    "forbidden" (a service account, or a local password where single sign-on is required)."""


def sign_in_check(*, request, username: str, password: str) -> User:
    """The user whose `username` and `password` these are, if they may sign in now.

    A password the account does not have is tried against the LDAP directory when one is set up
    (accounts.directory). Raises SignInRefused; records the failure (or the lockout) in the audit trail.
    The successful sign-in itself is recorded when the session starts (accounts.signals).
    """
    username = normalize_username(username)
    if is_locked_out(username=username, ip=client_ip(request)):
        audit_record(AuditAction.SIGN_IN_LOCKED, request=request, username=username)
        raise SignInRefused(gettext(LOCKED_OUT) % {"minutes": lockout_minutes()}, code="locked_out")
    user = User.objects.filter(username=username).first()
    if user is None:
        make_password(password)  # the same one hash a real account costs
        matches = False
    else:
        matches = user.check_password(password)
    if not matches and not (user is not None and user.is_service_account):
        try:
            directory_user = directory_sign_in(request=request, username=username, password=password)
        except SsoRefused as refusal:  # audited as a failure already
            raise SignInRefused(refusal.message, code=refusal.code) from None
        if directory_user is not None:
            return directory_user
    if not matches or user.suspended or user.is_service_account:
        audit_record(AuditAction.SIGN_IN_FAILED, request=request, username=username)
    if not matches:
        raise SignInRefused(INVALID_LOGIN, code="invalid")
    if user.suspended:
        raise SignInRefused(SUSPENDED_MESSAGE, code="suspended")
    if user.is_service_account:
        raise SignInRefused(SERVICE_ACCOUNT_MESSAGE, code="forbidden")
    if not local_password_allowed(user):
        audit_record(AuditAction.SIGN_IN_FAILED, request=request, username=username, detail="single sign-on required")
        raise SignInRefused(SSO_ONLY, code="forbidden")
    user.sign_in_method = "password"
    return user
