"""API keys: made, checked and revoked here, whichever door (account page, admin, API) is used.

A secret reads `dct_<public id>_<secret part>`: `dct_` tells people (and secret scanners) what
it is, the public id finds the row, and only the SHA-256 of the whole secret is stored. A fast
hash is the right one here: the secret part holds 256 random bits, so no guessing and no
precomputed table can reverse the hash, and a slow password hash (PBKDF2, ~100 ms) would be
paid again on every API request. The secret is returned once, by `api_key_create`.

A key acts as its user, never beyond: `workspaces.permissions.may_with_key` asks the user's
permission at the moment of use as well as the key's scopes and workspaces, and
`api_key_authenticate` refuses a key whose user is suspended (a deleted user's keys are gone).
A service account (`User.is_service_account`) never signs in on the site and holds the
member role only: an admin gives it keys for scripts and bots.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.audit import audit_record, client_ip
from accounts.base import DocentError, ErrorCode
from accounts.key_models import SCOPE_ASK, SCOPE_MANAGE, SCOPE_READ, SCOPE_WRITE, ApiKey, ApiScope
from accounts.models import AuditAction, AuditEvent, User
from accounts.roles import Role

__all__ = [
    "SCOPE_ASK", "SCOPE_MANAGE", "SCOPE_READ", "SCOPE_WRITE", "ApiKey", "api_key_authenticate", "api_key_create",
    "api_key_revoke",
]

SECRET_PREFIX = "dct_"  # noqa: S105  (what every key starts with, not a secret)
SECRET_PATTERN = re.compile(r"dct_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
MAX_KEYS_PER_USER = 20
# How often `last_used_at` is written for a key used again and again from one address.
LAST_USED_PRECISION_SECONDS = 60

KEY_REFUSED = "This API key is not valid: it is unknown, revoked or expired, or its account may not use it."
NO_KEY = "Send an API key: Authorization: Bearer dct_…"
NO_SCOPES = gettext_noop("Choose at least one scope.")
UNKNOWN_SCOPE = "Unknown scope %(scope)r: the scopes are read, ask, write and manage."
NAME_REQUIRED = gettext_noop("Give the key a name, so you can tell it from your other keys.")
EXPIRY_PAST = gettext_noop("Choose an expiry in the future.")
TOO_MANY_KEYS = f"You have {MAX_KEYS_PER_USER} keys already: revoke one you no longer use first."
WORKSPACE_NOT_VISIBLE = gettext_noop("A key can only be limited to workspaces its account belongs to.")
NOT_YOURS = "You may not manage this account's API keys."


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_make_keys_for(actor: User | None, user: User) -> bool:
    """A person makes keys for themselves alone (a key acts as its user: a key made for someone
    else would read their private chats); admins and managers make them for the service
    accounts they manage, which never sign in to make their own."""
    if actor is None:
        return True
    if user.is_service_account:
        return rules.may_manage_role(actor, user.role)
    return actor.pk == user.pk and rules.is_active(actor)


def _may_revoke_keys_of(actor: User | None, user: User) -> bool:
    """Revoking takes power away, so staff may also revoke the keys of anyone they manage."""
    return _may_make_keys_for(actor, user) or (actor is not None and rules.may_manage_role(actor, user.role))


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    if not scopes:
        raise DocentError(NO_SCOPES)
    for scope in scopes:
        if scope not in ApiScope.values:
            raise DocentError(UNKNOWN_SCOPE % {"scope": scope})
    return [scope for scope in ApiScope.values if scope in scopes]


def _checked_workspaces(user: User, workspaces) -> list:
    workspaces = list(workspaces or [])
    if not workspaces:
        return []
    visible = rules.visible_workspaces(user)
    ids = {workspace.pk for workspace in workspaces}
    if visible.filter(pk__in=ids).count() != len(ids):
        raise DocentError(WORKSPACE_NOT_VISIBLE, code=ErrorCode.FORBIDDEN)
    return workspaces


@transaction.atomic
def api_key_create(
    *, user: User, name: str, scopes: Iterable[str], workspaces=None, expires_at: datetime | None = None,
    actor: User | None = None, request=None,
) -> tuple[ApiKey, str]:
    """A new key for `user` and its secret, which is never shown again. `actor` (default: the
    request's user; None without a request: the system) is whoever makes it: the user, or an
    admin/manager who manages them (a service account's keys)."""
    if actor is None and request is not None:
        actor = request.user
    if not _may_make_keys_for(actor, user):
        raise PermissionDenied(NOT_YOURS)
    name = (name or "").strip()
    if not name:
        raise DocentError(NAME_REQUIRED)
    scopes = _checked_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise DocentError(EXPIRY_PAST)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one cap check at a time per user
    if ApiKey.objects.filter(user=user).active().count() >= MAX_KEYS_PER_USER:
        raise DocentError(TOO_MANY_KEYS, code=ErrorCode.CONFLICT)
    workspaces = _checked_workspaces(user, workspaces)
    public_id = secrets.token_hex(6)
    secret = f"{SECRET_PREFIX}{public_id}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        user=user, name=name[:100], public_id=public_id, secret_hash=secret_hash(secret), scopes=scopes,
        expires_at=expires_at, created_by=actor,
    )
    key.workspaces.set(workspaces)
    names = ", ".join(sorted(workspace.name for workspace in workspaces)) or "all"
    audit_record(
        AuditAction.API_KEY_CREATED, request=request, user=user,
        detail=f"{key.prefix} “{key.name}” scopes {','.join(scopes)}; workspaces {names}"
        + (f"; by {actor.username}" if actor is not None and actor.pk != user.pk else ""),
    )
    return key, secret


def api_key_revoke(*, key: ApiKey, actor: User | None = None, request=None) -> ApiKey:
    """Revoked at once: the next request with it is refused. Revoking twice changes nothing."""
    if actor is None and request is not None:
        actor = request.user
    if not _may_revoke_keys_of(actor, key.user):
        raise PermissionDenied(NOT_YOURS)
    updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db(fields=["revoked_at"])
    if updated:
        by = f"; by {actor.username}" if actor is not None and actor.pk != key.user_id else ""
        detail = f"{key.prefix} “{key.name}”{by}"
        audit_record(AuditAction.API_KEY_REVOKED, request=request, user=key.user, detail=detail)
    return key


def _usable(key: ApiKey) -> bool:
    user = key.user
    if key.revoked or key.expired or not rules.is_active(user):
        return False
    return not (user.is_service_account and user.role != Role.DEFAULT)


def _record_use(key: ApiKey, ip: str | None) -> None:
    """`last_used_*` at most once a minute per address; the first use from an address is audited."""
    now = timezone.now()
    new_address = ip is not None and ip != key.last_used_ip
    if not new_address and key.last_used_at and (now - key.last_used_at).total_seconds() < LAST_USED_PRECISION_SECONDS:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip)
    key.last_used_at, key.last_used_ip = now, ip
    if new_address:
        detail = f"{key.prefix} “{key.name}”"
        seen = AuditEvent.objects.filter(action=AuditAction.API_KEY_NEW_ADDRESS, ip_address=ip, detail=detail[:500])
        if not seen.exists():
            audit_record(AuditAction.API_KEY_NEW_ADDRESS, user=key.user, ip=ip, detail=detail)


def api_key_authenticate(*, secret: str, ip: str | None) -> ApiKey:
    """The key `secret` is, if it may be used now (its user loaded); else DocentError(UNAUTHORIZED)."""
    match = SECRET_PATTERN.fullmatch((secret or "").strip())
    if match is None:
        raise DocentError(KEY_REFUSED, code=ErrorCode.UNAUTHORIZED)
    key = ApiKey.objects.select_related("user").with_limit_count().filter(public_id=match.group(1)).first()
    if key is None or not hmac.compare_digest(key.secret_hash, secret_hash(match.group(0))) or not _usable(key):
        raise DocentError(KEY_REFUSED, code=ErrorCode.UNAUTHORIZED)
    _record_use(key, ip)
    return key


def api_key_authenticate_request(request) -> ApiKey:
    """The key in `Authorization: Bearer …` (the API's doors call this through workspaces.api.auth)."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise DocentError(NO_KEY, code=ErrorCode.UNAUTHORIZED)
    return api_key_authenticate(secret=secret.strip(), ip=client_ip(request))
