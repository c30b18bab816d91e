"""Writes on users (invites: `accounts.invites`). The admin and the site both call these, so a
rule holds whichever door is used."""

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction, User, new_session_salt
from accounts.roles import Role
from accounts.validators import normalize_username, username_validators

CANNOT_SUSPEND_SELF = "You cannot suspend your own account."
CANNOT_DEMOTE_SELF = "You cannot change your own role."
CANNOT_DELETE_SELF = "You cannot delete your own account."
LAST_ADMIN = "“%(username)s” is the last active admin: make another admin first."
MANAGER_CANNOT_TOUCH_ADMIN = "Only an admin can change an admin or make someone admin."
SETUP_ALREADY_DONE = "Docent is already set up."
USERNAME_TAKEN = gettext_noop("That username is taken. Choose another.")


class SetupAlreadyDone(DocentError):
    default_code = "not_found"


def account_check(*, username: str, password: str) -> str:
    """The username as stored, if a new account may have it and this password.

    Raises ValidationError keyed "username" / "password" with every reason: the
    username rule (accounts.validators), a name already taken, Django's password
    validators. Setup and invite signup call it before writing; their forms, to
    show the errors by their fields."""
    username = normalize_username(username)
    errors = {}
    try:
        for validator in username_validators:
            validator(username)
    except ValidationError as error:
        errors["username"] = error.messages
    else:
        if User.objects.filter(username=username).exists():
            errors["username"] = [USERNAME_TAKEN]
    try:
        password_validation.validate_password(password, User(username=username))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    return username


def _lock_admins() -> None:
    """Serialise changes that could leave no admin (row locks on PostgreSQL;
    SQLite runs IMMEDIATE transactions one at a time)."""
    list(User.objects.active_admins().select_for_update().values_list("pk", flat=True))


def _would_remove_last_admin(user: User) -> bool:
    if user.role != Role.ADMIN or user.suspended:
        return False
    return not User.objects.active_admins().exclude(pk=user.pk).exists()


def user_check_change(*, actor: User, target: User | None, new_role: str | None = None, new_suspended=None) -> None:
    """Raise ValidationError / PermissionDenied when `actor` may not make this change to `target`.

    Judged against the stored row, not the edited object, so an edit cannot hide whom it touches."""
    current = User.objects.filter(pk=target.pk).first() if target is not None and target.pk else None
    touched = {new_role, current.role if current is not None else None} - {None}
    if not all(rules.may_manage_role(actor, role) for role in touched):
        raise PermissionDenied(MANAGER_CANNOT_TOUCH_ADMIN)
    if current is None:
        return
    if target.pk == actor.pk:
        if new_suspended and not current.suspended:
            raise ValidationError(CANNOT_SUSPEND_SELF)
        if new_role is not None and new_role != current.role:
            raise ValidationError(CANNOT_DEMOTE_SELF)
    losing_admin = (new_role is not None and new_role != Role.ADMIN) or bool(new_suspended)
    if losing_admin and _would_remove_last_admin(current):
        raise ValidationError(LAST_ADMIN, params={"username": current.username})


@transaction.atomic
def user_save(*, actor: User, user: User, request=None) -> User:
    """Save a user edited (or added) in the admin after checking the role rules against the stored row."""
    _lock_admins()
    user_check_change(actor=actor, target=user, new_role=user.role, new_suspended=user.suspended)
    stored = User.objects.filter(pk=user.pk).values("suspended", "role").first() if user.pk else None
    if user.suspended and not (stored and stored["suspended"]):
        user.session_salt = new_session_salt()
    user.full_clean(exclude=("password",))
    user.save()
    if stored is None:
        audit_record(AuditAction.USER_CREATED, request=request, user=user, detail=f"as {user.role} by {actor}")
        return user
    if stored["role"] != user.role:
        audit_record(AuditAction.ROLE_CHANGED, request=request, user=user,
                     detail=f"{stored['role']} → {user.role} by {actor}")
    if stored["suspended"] != user.suspended:
        _audit_suspension(actor=actor, user=user)
    return user


def _audit_suspension(*, actor: User, user: User) -> None:
    action = AuditAction.SUSPENDED if user.suspended else AuditAction.UNSUSPENDED
    audit_record(action, user=user, detail=f"by {actor.username}")


@transaction.atomic
def user_set_suspended(*, actor: User, user: User, suspended: bool) -> User:
    _lock_admins()
    user_check_change(actor=actor, target=user, new_suspended=suspended)
    changes = {"suspended": suspended, **({"session_salt": new_session_salt()} if suspended else {})}
    changed = User.objects.filter(pk=user.pk).exclude(suspended=suspended).update(**changes)
    user.suspended = suspended
    if changed:
        _audit_suspension(actor=actor, user=user)
    return user


def user_check_delete(*, actor: User, user: User) -> None:
    """Raise ValidationError / PermissionDenied when `actor` may not delete `user`."""
    if user.pk == actor.pk:
        raise ValidationError(CANNOT_DELETE_SELF)
    user_check_change(actor=actor, target=user)
    if _would_remove_last_admin(User.objects.get(pk=user.pk)):
        raise ValidationError(LAST_ADMIN, params={"username": user.username})


def user_delete_allowed(*, actor: User, user: User) -> bool:
    try:
        user_check_delete(actor=actor, user=user)
    except (ValidationError, PermissionDenied):
        return False
    return True


@transaction.atomic
def user_delete(*, actor: User, user: User, request=None) -> None:
    _lock_admins()
    user_check_delete(actor=actor, user=user)
    username, role = user.username, user.role
    user.delete()
    audit_record(AuditAction.USER_DELETED, request=request, username=username, detail=f"{role}, by {actor}")


def _lock_first_run() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('docent-first-run'))")


@transaction.atomic
def setup_create_first_admin(*, username: str, password: str) -> User:
    """Create the first admin; refuse once any user exists, also when two requests race."""
    _lock_first_run()
    if User.objects.exists():
        raise SetupAlreadyDone(SETUP_ALREADY_DONE)
    username = account_check(username=username, password=password)
    return User.objects.create_user(username, password, role=Role.ADMIN)
