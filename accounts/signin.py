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

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record, client_ip
from accounts.base import DocentError
from accounts.models import AuditAction, AuditEvent, User
from accounts.validators import normalize_username

LOCKED_OUT = gettext_noop("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
INVALID_LOGIN = gettext_noop("That username and password do not match an account.")
SUSPENDED_MESSAGE = gettext_noop("This account is suspended. Ask an administrator of this Docent to restore it.")
SERVICE_ACCOUNT_MESSAGE = gettext_noop(
    "This is a service account: it works only through API keys and never signs in here."
)


class SignInRefused(DocentError):
    """code: "invalid" (unknown user or wrong password), "locked_out", "suspended" or
    "forbidden" (a service account)."""


def lockout_minutes() -> int:
    return max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)


def is_locked_out(*, username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    pair = AuditEvent.objects.filter(username=username, ip_address=ip)
    last_success = pair.filter(action=AuditAction.SIGN_IN, created_at__gte=since).aggregate(at=Max("created_at"))["at"]
    failures = pair.filter(action=AuditAction.SIGN_IN_FAILED, created_at__gte=last_success or since)
    if failures.count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    if ip is None:
        return False
    from_address = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, ip_address=ip, created_at__gte=since)
    return from_address.count() >= settings.LOGIN_FAILURE_LIMIT_PER_IP


def sign_in_check(*, request, username: str, password: str) -> User:
    """The user whose `username` and `password` these are, if they may sign in now.

    Raises SignInRefused; records the failure (or the lockout) in the audit trail.
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
    if not matches or user.suspended or user.is_service_account:
        audit_record(AuditAction.SIGN_IN_FAILED, request=request, username=username)
    if not matches:
        raise SignInRefused(INVALID_LOGIN, code="invalid")
    if user.suspended:
        raise SignInRefused(SUSPENDED_MESSAGE, code="suspended")
    if user.is_service_account:
        raise SignInRefused(SERVICE_ACCOUNT_MESSAGE, code="forbidden")
    return user
