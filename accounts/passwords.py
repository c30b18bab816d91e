"""Password reset without an admin typing a password: one-time, expiring links.

An admin or manager issues a link for a user (the admin's user list, an action); when
email is configured (`EMAIL_URL`), a user may also ask for one from the sign-in page
(accounts.reset_requests). Only a hash of the token is stored.

The token travels in a URL, so it lands in access logs, proxies' logs and browser
history. Its first request therefore spends it, with a conditional update (of two
browsers racing with one link exactly one wins), for a grant kept in that browser's
session; the browser is sent on to /reset/set-password/, an address without the token
(Django's PasswordResetConfirmView pattern, made single-use). The grant is tied to the
user's sign-in hash (password and session salt), so it dies with the password it sets,
with a suspension or any other password change, and with the link's expiry. Setting the
password ends every other session of the user and every other link.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction, PasswordResetLink, User, new_session_salt
from accounts.services import user_check_change

RESET_LINK_HOURS = 24
RESET_CODE_PATTERN = r"[A-Za-z0-9_-]{30,64}"
RESET_LINK_UNUSABLE = gettext_noop("This password reset link has expired or has already been used. Ask for a new one.")


class ResetLinkUnusable(DocentError):
    default_code = "gone"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_reset_link_create(*, user: User, created_by: User | None, ip: str | None = None) -> str:
    """A new link's token (only its hash is stored), audited; `created_by` None: asked for by email."""
    token = secrets.token_urlsafe(32)
    PasswordResetLink.objects.create(
        user=user, created_by=created_by, token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(hours=RESET_LINK_HOURS),
    )
    audit_record(AuditAction.PASSWORD_RESET_ISSUED, user=user, ip=ip, detail=f"by {created_by or 'self-service'}")
    return token


def password_reset_issue(*, actor: User, user: User) -> str:
    """A new reset token for `user`, issued by `actor`. PermissionDenied when `actor` may not
    change `user` (a manager and an admin's account, say)."""
    if not rules.runs_the_admin(actor):
        raise PermissionDenied("Only admins and managers issue password reset links.")
    user_check_change(actor=actor, target=user)
    return password_reset_link_create(user=user, created_by=actor)


def password_reset_by_email_enabled() -> bool:
    return bool(settings.EMAIL_URL)


def password_reset_link_exchange(*, token: str) -> dict:
    """Spend a usable link for a grant (a small dict for the browser's session) that lets
    that session set the password once. ResetLinkUnusable for a spent, expired, unknown or
    malformed token, or a suspended user."""
    if not re.fullmatch(RESET_CODE_PATTERN, token or ""):
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    now = timezone.now()
    link = PasswordResetLink.objects.select_related("user").filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now, user__suspended=False
    ).first()
    if link is None or PasswordResetLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    return {"link": link.pk, "user": link.user_id, "auth_hash": link.user.get_session_auth_hash()}


def password_reset_grant_user(*, grant) -> User:
    """The user a session's grant lets set a password; ResetLinkUnusable when the grant is
    missing, its link expired, the user is suspended or their password changed since."""
    if not isinstance(grant, dict):
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    user = User.objects.filter(
        pk=grant.get("user"), suspended=False,
        password_reset_links__pk=grant.get("link"), password_reset_links__used_at__isnull=False,
        password_reset_links__expires_at__gt=timezone.now(),
    ).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), str(grant.get("auth_hash"))):
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    return user


@transaction.atomic
def password_reset_complete(*, grant, password: str, request=None) -> User:
    """Set the password the grant allows, once; every other session and link of the user ends.

    Raises ResetLinkUnusable, or ValidationError from Django's password validators."""
    user = password_reset_grant_user(grant=grant)
    password_validation.validate_password(password, user)
    before = {"password": user.password, "session_salt": user.session_salt}
    user.set_password(password)
    user.session_salt = new_session_salt()
    # Of two requests racing with one grant, the one that finds the old password wins.
    won = User.objects.filter(pk=user.pk, **before).update(
        password=user.password, session_salt=user.session_salt, last_updated_at=timezone.now()
    )
    if won != 1:
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    audit_record(AuditAction.PASSWORD_RESET, request=request, user=user)
    return user
