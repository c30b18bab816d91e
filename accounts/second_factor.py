"""Two-factor for local accounts: an authenticator app's codes (TOTP) and one-time recovery codes,
stored by django-allauth's MFA (`Authenticator`), asked for by Docent's own pages.

Signing in with a password and a second factor is two steps. The password step (accounts.signin)
leaves a pending sign-in in the session (the user, their sign-in hash, a deadline); the code step
ends it. A wrong code is a `sign_in_failed` row like a wrong password, so both count toward one
lockout; a right one signs in and is audited as `sign_in` with how (password+totp, password+recovery
code). With the `second_factor_required_for_staff` setting, admins and managers who signed in with a
password are sent to set up an authenticator before any other page.
"""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from accounts import rules
from accounts.audit import audit_record, client_ip
from accounts.base import DocentError
from accounts.lockout import LOCKED_OUT, is_locked_out, lockout_minutes
from accounts.models import AuditAction, User
from accounts.rules import STAFF_ROLES
from accounts.services import user_check_change
from accounts.sign_in_policy import local_password_allowed, sign_in_policy
from accounts.signals import SIGN_IN_METHOD_KEY

PENDING_KEY = "docent.second_factor"
PENDING_SECONDS = 300
WRONG_CODE = "That code is not right. Use the 6-digit code your authenticator app shows now, or a recovery code."
PENDING_GONE = "Your sign-in took too long. Sign in again."
ALREADY_ON = "Two-factor is already on for this account."
WRONG_PASSWORD = "That is not your password."  # noqa: S105 (a message)
NO_PASSWORD = "Your account signs in through your organisation, which asks for its own second factor."  # noqa: S105


class SecondFactorRefused(DocentError):
    pass


def second_factor_enabled(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_pending_start(*, request, user: User, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk, "auth_hash": user.get_session_auth_hash(), "until": time.time() + PENDING_SECONDS,
        "next": next_url,
    }


def second_factor_pending_user(request) -> User | None:
    """The user whose password this session gave and who now owes a code; None when none or too late."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = User.objects.filter(pk=pending.get("user"), suspended=False).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), str(pending.get("auth_hash"))):
        return None
    return user


def second_factor_check(*, request, code: str) -> tuple[User, str]:
    """The pending user and the next page, when `code` is their TOTP code or an unused recovery
    code (spent). Raises SecondFactorRefused: gone (no pending sign-in), locked_out, invalid."""
    user = second_factor_pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        raise SecondFactorRefused(PENDING_GONE, code="gone")
    if is_locked_out(username=user.username, ip=client_ip(request)):
        audit_record(AuditAction.SIGN_IN_LOCKED, request=request, username=user.username, detail="second factor")
        raise SecondFactorRefused(gettext(LOCKED_OUT) % {"minutes": lockout_minutes()}, code="locked_out")
    code = "".join((code or "").split())
    method = None
    with transaction.atomic():
        for authenticator in Authenticator.objects.filter(user=user).order_by("type"):
            if authenticator.type == Authenticator.Type.TOTP and TOTP(authenticator).validate_code(code):
                method = "password+totp"
            elif authenticator.type == Authenticator.Type.RECOVERY_CODES and (
                RecoveryCodes(authenticator).validate_code(code)
            ):
                method = "password+recovery code"
            if method:
                break
    if method is None:
        audit_record(AuditAction.SIGN_IN_FAILED, request=request, username=user.username, detail="second factor")
        raise SecondFactorRefused(WRONG_CODE)
    next_url = request.session.pop(PENDING_KEY, {}).get("next") or ""
    user.sign_in_method = method
    return user, next_url


def totp_secret_new() -> str:
    return generate_totp_secret()


def _password_check(user: User, password: str) -> None:
    if not user.has_usable_password():
        raise SecondFactorRefused(NO_PASSWORD, code="forbidden")
    if not user.check_password(password or ""):
        raise SecondFactorRefused(WRONG_PASSWORD)


@transaction.atomic
def second_factor_enable(*, user: User, password: str, secret: str, code: str, request=None) -> list[str]:
    """Turn on TOTP with `secret` once `code` proves the app has it; the new recovery codes."""
    _password_check(user, password)
    User.objects.select_for_update().filter(pk=user.pk).first()
    if second_factor_enabled(user):
        raise SecondFactorRefused(ALREADY_ON, code="conflict")
    if not secret or not validate_totp_code(secret, "".join((code or "").split())):
        raise SecondFactorRefused(WRONG_CODE)
    TOTP.activate(user, secret)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
    codes = RecoveryCodes.activate(user).generate_codes()
    audit_record(AuditAction.SECOND_FACTOR_ENABLED, request=request, user=user)
    return codes


@transaction.atomic
def second_factor_disable(*, user: User, password: str, request=None) -> None:
    _password_check(user, password)
    Authenticator.objects.filter(user=user).delete()
    audit_record(AuditAction.SECOND_FACTOR_DISABLED, request=request, user=user)


@transaction.atomic
def second_factor_reset(*, actor: User, user: User, request=None) -> None:
    """An admin or manager turns off `user`'s two-factor (a lost phone and no recovery code left).
    PermissionDenied when `actor` may not change `user` (a manager and an admin, say)."""
    if not rules.runs_the_admin(actor):
        raise PermissionDenied("Only admins and managers turn off someone's two-factor.")
    user_check_change(actor=actor, target=user)
    Authenticator.objects.filter(user=user).delete()
    audit_record(AuditAction.SECOND_FACTOR_DISABLED, request=request, user=user, detail=f"by {actor}")


@transaction.atomic
def recovery_codes_new(*, user: User, password: str, request=None) -> list[str]:
    """Fresh recovery codes (the old ones stop working)."""
    _password_check(user, password)
    if not second_factor_enabled(user):
        raise SecondFactorRefused("Turn two-factor on first.", code="conflict")
    Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
    codes = RecoveryCodes.activate(user).generate_codes()
    audit_record(AuditAction.RECOVERY_CODES_NEW, request=request, user=user)
    return codes


def recovery_codes_left(user) -> int:
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).first()
    return len(RecoveryCodes(authenticator).get_unused_codes()) if authenticator else 0


def _exempt() -> tuple[str, ...]:
    from django.conf import settings

    return ("/account/two-factor/", "/logout/", settings.STATIC_URL, "/static/", "/healthz", "/livez", "/api/")


class SecondFactorRequiredMiddleware:
    """With `second_factor_required_for_staff`, an admin or manager signed in by password sees only
    the two-factor setup page (and sign-out) until an authenticator is set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None and user.is_authenticated and user.role in STAFF_ROLES
            and request.session.get(SIGN_IN_METHOD_KEY, "password").startswith("password")
            and not request.path_info.startswith(_exempt())
            and sign_in_policy().second_factor_required_for_staff
            and not second_factor_enabled(user)
        ):
            return redirect("accounts:second_factor")
        return self.get_response(request)


def password_reset_next_step(user) -> str:
    """What follows a password set by a reset link: "sso" when local passwords are refused to `user`
    (single sign-on required: the new password signs nobody in), "second_factor" when the account
    has an authenticator (a code first, as for any password sign-in), else "signed_in"."""
    if not local_password_allowed(user):
        return "sso"
    return "second_factor" if second_factor_enabled(user) else "signed_in"
