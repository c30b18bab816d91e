"""The lockout every sign-in path shares (password, second factor, single sign-on, LDAP): the
failures it counts are `sign_in_failed` rows of the audit trail (see accounts.signin)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import AuditAction, AuditEvent

LOCKED_OUT = gettext_noop("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
SUSPENDED_MESSAGE = gettext_noop("This account is suspended. Ask an administrator of this Docent to restore it.")
SERVICE_ACCOUNT_MESSAGE = gettext_noop(
    "This is a service account: it works only through API keys and never signs in here."
)


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


