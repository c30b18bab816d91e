"""Password reset without an admin typing a password: one-time, expiring links.

An admin or manager issues a link for a user (the admin's user list, an action); when
email is configured (`EMAIL_URL`), a user may also ask for one from the sign-in page and
it is mailed to the address on their account. Only a hash of the token is stored. Using a
link sets the password, ends every other session of the user and spends the link, with a
conditional update, so of two requests racing with one link exactly one wins.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction, PasswordResetLink, User, new_session_salt
from accounts.services import user_check_change
from accounts.validators import normalize_username

RESET_LINK_HOURS = 24
RESET_CODE_PATTERN = r"[A-Za-z0-9_-]{30,64}"
RESET_LINK_UNUSABLE = "This password reset link has expired or has already been used. Ask for a new one."
RESET_REQUESTED = (
    "If an account with an email address matches, a reset link is on its way. "
    "It works once, for %(hours)d hours."
)


class ResetLinkUnusable(DocentError):
    default_code = "gone"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(*, user: User, created_by: User | None) -> str:
    token = secrets.token_urlsafe(32)
    PasswordResetLink.objects.create(
        user=user, created_by=created_by, token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(hours=RESET_LINK_HOURS),
    )
    audit_record(AuditAction.PASSWORD_RESET_ISSUED, user=user, detail=f"by {created_by or 'self-service'}")
    return token


def password_reset_issue(*, actor: User, user: User) -> str:
    """A new reset token for `user`, issued by `actor`. PermissionDenied when `actor` may not
    change `user` (a manager and an admin's account, say)."""
    if not actor.is_staff:
        raise PermissionDenied("Only admins and managers issue password reset links.")
    user_check_change(actor=actor, target=user)
    return _new_link(user=user, created_by=actor)


def password_reset_by_email_enabled() -> bool:
    return bool(settings.EMAIL_URL)


def password_reset_request(*, username_or_email: str, link_for) -> None:
    """Mail a reset link to the account that matches, if any, and say nothing either way.

    `link_for(token)` builds the absolute URL. The same work is done whether or not an
    account matches, so neither the answer nor its timing tells who has an account."""
    if not password_reset_by_email_enabled():
        raise PermissionDenied("Password reset by email is not set up.")
    value = (username_or_email or "").strip()[:254]
    reachable = User.objects.filter(suspended=False).exclude(email="")
    user = reachable.filter(username=normalize_username(value)).first()
    if user is None and "@" in value:
        user = reachable.filter(email__iexact=value).order_by("pk").first()
    if user is None:
        return
    token = _new_link(user=user, created_by=None)
    send_mail(
        "Your password reset link",
        f"Someone (hopefully you) asked to reset the password of {user.username}.\n\n"
        f"Choose a new password here (the link works once, for {RESET_LINK_HOURS} hours):\n{link_for(token)}\n\n"
        "If it was not you, ignore this message: your password stays as it is.",
        None, [user.email], fail_silently=True,
    )


def password_reset_link_user(token: str) -> User:
    """The user a usable token resets; ResetLinkUnusable otherwise."""
    link = PasswordResetLink.objects.select_related("user").filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now(), user__suspended=False
    ).first()
    if link is None:
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    return link.user


@transaction.atomic
def password_reset_complete(*, token: str, password: str, request=None) -> User:
    """Spend the link and set the password; every other session of the user ends.

    Raises ResetLinkUnusable, or ValidationError from Django's password validators."""
    user = password_reset_link_user(token)
    password_validation.validate_password(password, user)
    spent = PasswordResetLink.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if spent != 1:
        raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
    user.set_password(password)
    user.session_salt = new_session_salt()
    user.save(update_fields=["password", "session_salt", "last_updated_at"])
    # Other links of this user die with this one: one reset per request for help.
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    audit_record(AuditAction.PASSWORD_RESET, request=request, user=user)
    return user
