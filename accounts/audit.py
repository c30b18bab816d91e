"""Record what people did: one row in `audit_events` and one structured log line."""

import logging

from accounts.models import AuditEvent

logger = logging.getLogger("docent.audit")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(action: str, *, request=None, user=None, username: str = "", detail: str = "") -> AuditEvent:
    actor = getattr(request, "user", None)
    if user is None and actor is not None and actor.is_authenticated:
        user = actor
    username = (username or getattr(user, "username", ""))[:96]
    event = AuditEvent.objects.create(
        action=action, user=user, username=username, ip_address=client_ip(request), detail=detail[:500]
    )
    logger.info(
        "audit action=%s username=%s ip=%s detail=%s", action, username or "-", event.ip_address or "-", detail or "-"
    )
    return event
