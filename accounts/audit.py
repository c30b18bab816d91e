"""Record what people did: one row in `audit_events` and one structured log line."""

import ipaddress
import logging

from django.conf import settings

from accounts.models import AuditEvent

logger = logging.getLogger("docent.audit")


def client_ip(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies it is the entry those proxies
    appended to X-Forwarded-For (entries further left are whatever the client claimed)."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


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
