"""Record what people did: one row in `audit_events` and one structured log line."""

import ipaddress
import logging

from django.conf import settings

from accounts.models import AuditEvent

logger = logging.getLogger("docent.audit")


def _from_trusted_proxy(remote_addr: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in settings.TRUSTED_PROXY_IPS)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless the request comes from one of TRUSTED_PROXY_IPS.
    From a listed proxy it is the X-Forwarded-For entry TRUSTED_PROXY_COUNT from the right, the
    one the proxies appended (entries further left are whatever the client claimed); a missing
    or malformed entry leaves the proxy's own address. A request from anywhere else may carry
    any header it likes, so its X-Forwarded-For is never read."""
    if request is None:
        return None
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies and _from_trusted_proxy(remote_addr):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return remote_addr


def audit_record(
    action: str, *, request=None, user=None, username: str = "", detail: str = "", ip: str | None = None,
    workspace=None,
) -> AuditEvent:
    """`ip` names the client where there is no request (a background task acting for one);
    `workspace`, the workspace the event happened in (its owners read it on the Activity tab)."""
    actor = getattr(request, "user", None)
    if user is None and actor is not None and actor.is_authenticated:
        user = actor
    username = (username or getattr(user, "username", ""))[:96]
    event = AuditEvent.objects.create(
        action=action, user=user, username=username, ip_address=client_ip(request) or ip, detail=detail[:500],
        workspace=workspace,
    )
    logger.info(
        "audit action=%s username=%s ip=%s detail=%s", action, username or "-", event.ip_address or "-", detail or "-"
    )
    return event
