"""How often an invite page may answer "That username is taken": per invite code and per
client address, counted in the audit trail (so every worker and host shares the count),
like the sign-in lockout (accounts.signin).

Without it, anyone holding a pending link could test usernames as fast as they liked and
learn which accounts exist. Settings: INVITE_FAILURE_LIMIT (per code),
INVITE_FAILURE_LIMIT_PER_IP, and LOGIN_FAILURE_WINDOW_SECONDS as the window.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record, client_ip
from accounts.base import DocentError
from accounts.models import AuditAction, AuditEvent, Invite

INVITE_THROTTLED = gettext_noop("Too many tries with this invite link. Wait %(minutes)d minutes and try again.")


class InviteThrottled(DocentError):
    default_code = "rate_limited"


def _detail(invite: Invite) -> str:
    return f"invite {invite.pk}: username taken"


def invite_throttle_check(*, invite: Invite, request) -> None:
    """Raise InviteThrottled when this code, or this address, has met "username taken" too often."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    refused = AuditEvent.objects.filter(action=AuditAction.INVITE_REFUSED, created_at__gte=since)
    over = refused.filter(detail=_detail(invite)).count() >= settings.INVITE_FAILURE_LIMIT
    ip = client_ip(request)
    if not over and ip is not None:
        over = refused.filter(ip_address=ip).count() >= settings.INVITE_FAILURE_LIMIT_PER_IP
    if over:
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise InviteThrottled(gettext(INVITE_THROTTLED) % {"minutes": minutes})


def invite_refusal_record(*, invite: Invite, request, username: str) -> None:
    audit_record(AuditAction.INVITE_REFUSED, request=request, username=username, detail=_detail(invite))
