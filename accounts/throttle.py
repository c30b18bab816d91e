"""Slow brute force down: too many failed sign-ins for one username or from one
address lock that path out for a while. Counted from the audit trail in the
database, so every gunicorn worker and host sees the same count.

Limits: settings LOGIN_FAILURE_LIMIT (per username), LOGIN_FAILURE_LIMIT_PER_IP
and LOGIN_FAILURE_WINDOW_SECONDS; a successful sign-in resets the username count.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from accounts.audit import client_ip
from accounts.models import AuditAction, AuditEvent

LOCKED_OUT = "Too many failed sign-ins. Wait %(minutes)d minutes and try again."


def lockout_minutes() -> int:
    return max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)


def is_locked_out(*, request, username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    last_success = AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN, username=username, created_at__gte=since
    ).aggregate(at=Max("created_at"))["at"]
    failures = AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, username=username, created_at__gte=last_success or since
    )
    if failures.count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    ip = client_ip(request)
    if ip is None:
        return False
    from_address = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, ip_address=ip, created_at__gte=since)
    return from_address.count() >= settings.LOGIN_FAILURE_LIMIT_PER_IP
