"""Writes on users and invites. The admin and the site both call these, so a rule
holds whichever door is used."""

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts import rules
from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.invite_throttle import invite_refusal_record, invite_throttle_check
from accounts.models import EXPIRED, AuditAction, Invite, InviteStatus, User, invite_expiry_check, new_session_salt
from accounts.roles import Role, WorkspaceRole
from accounts.validators import normalize_username, username_validators

CANNOT_SUSPEND_SELF = "You cannot suspend your own account."
CANNOT_DEMOTE_SELF = "You cannot change your own role."
CANNOT_DELETE_SELF = "You cannot delete your own account."
LAST_ADMIN = "“%(username)s” is the last active admin: make another admin first."
MANAGER_CANNOT_TOUCH_ADMIN = "Only an admin can change an admin or make someone admin."
SETUP_ALREADY_DONE = "Docent is already set up."
USERNAME_TAKEN = "That username is taken. Choose another."


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


@transaction.atomic
def invites_issue(
    *, created_by: User, workspaces, count: int = 1, role: str = WorkspaceRole.VIEWER, max_uses: int = 1,
    expires_at=None, request=None,
) -> list[Invite]:
    """Issue `count` pending invites, each usable `max_uses` times until `expires_at` (None: never),
    each granting `role` in every one of `workspaces`."""
    invite_expiry_check(expires_at=expires_at)
    invites = [
        Invite.objects.create(created_by=created_by, role=role, max_uses=max_uses, expires_at=expires_at)
        for _ in range(count)
    ]
    for invite in invites:
        invite.workspaces.set(workspaces)
        invite_audit(AuditAction.INVITE_ISSUED, invite=invite, actor=created_by, request=request)
    return invites


def invite_audit(action: str, *, invite: Invite, actor: User, request=None, detail: str = "") -> None:
    """An invite event: which invite (never its code), what it grants, its uses and expiry."""
    granted = ", ".join(sorted(workspace.name for workspace in invite.workspaces.all())) or "no workspace"
    expires = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC" if invite.expires_at else "never"
    audit_record(action, request=request, user=actor, detail=(
        f"invite {invite.pk}{detail}: {invite.role} in {granted}; {invite.max_uses} use(s); expires {expires}"
    ))


@transaction.atomic
def invite_save(*, actor: User, invite: Invite, workspaces, request=None) -> Invite:
    """The admin's add and change form: save `invite` granting `workspaces`, audited (a new one
    as issued by `actor`; a changed one with what changed)."""
    invite_expiry_check(expires_at=invite.expires_at, invite=invite)
    stored = Invite.objects.filter(pk=invite.pk).values("role", "max_uses", "expires_at").first() if invite.pk else None
    before = set(invite.workspaces.values_list("pk", flat=True)) if invite.pk else set()
    if stored is None:
        invite.created_by = actor
    invite.save()
    invite.workspaces.set(workspaces)
    if stored is None:
        invite_audit(AuditAction.INVITE_ISSUED, invite=invite, actor=actor, request=request)
        return invite
    changed = [field for field, value in stored.items() if getattr(invite, field) != value]
    if before != {workspace.pk for workspace in workspaces}:
        changed.append("workspaces")
    if changed:
        invite_audit(AuditAction.INVITE_CHANGED, invite=invite, actor=actor, request=request,
                     detail=f" ({', '.join(changed)} changed)")
    return invite


@transaction.atomic
def invites_disable(*, queryset, actor: User | None = None, request=None) -> int:
    """Revoke the pending invites in `queryset`; used-up ones stay as they are."""
    pending = list(queryset.filter(status=InviteStatus.PENDING).values_list("pk", flat=True))
    count = Invite.objects.filter(pk__in=pending, status=InviteStatus.PENDING).update(status=InviteStatus.DISABLED)
    for invite in Invite.objects.filter(pk__in=pending).prefetch_related("workspaces"):
        invite_audit(AuditAction.INVITE_REVOKED, invite=invite, actor=actor, request=request)
    return count


INVITE_USED_UP = "This invite link has been used as many times as it allows. Ask whoever sent it for a new one."
INVITE_REVOKED = "This invite link has been revoked. Ask whoever sent it for a new one."
INVITE_EXPIRED = "This invite link has expired. Ask whoever sent it for a new one."
INVITE_REFUSALS = {InviteStatus.CLAIMED: INVITE_USED_UP, InviteStatus.DISABLED: INVITE_REVOKED, EXPIRED: INVITE_EXPIRED}


class InviteUnavailable(DocentError):
    default_code = "gone"


class UsernameTaken(DocentError):
    default_code = "conflict"


def invite_check(invite: Invite) -> None:
    """Raise InviteUnavailable saying why, when `invite` cannot be claimed now: expired, used up,
    revoked, or issued by someone who may no longer issue invites (suspended, deleted, demoted)."""
    if invite.state != InviteStatus.PENDING:
        raise InviteUnavailable(INVITE_REFUSALS[invite.state])
    issuer = invite.created_by
    if not rules.may_issue_invites(issuer):
        raise InviteUnavailable(INVITE_REVOKED)


def invite_claim(*, code: str, username: str, password: str, request=None) -> User:
    """Create one member account from a usable invite and add it to the invite's workspaces with its role.

    Raises InviteUnavailable, InviteThrottled (too many "username taken" answers for this
    code or address), ValidationError (account_check) or UsernameTaken; each "taken" answer
    is recorded in the audit trail, where the throttle counts it.
    """
    invite = Invite.objects.filter(code=code).first()
    if invite is None:
        raise InviteUnavailable(INVITE_REVOKED)
    invite_throttle_check(invite=invite, request=request)
    try:
        return _invite_claim(code=code, username=username, password=password, request=request)
    except (ValidationError, UsernameTaken) as refusal:
        taken = isinstance(refusal, UsernameTaken) or (
            hasattr(refusal, "error_dict") and USERNAME_TAKEN in refusal.message_dict.get("username", [])
        )
        if taken:
            invite_refusal_record(invite=invite, request=request, username=normalize_username(username))
        raise


@transaction.atomic
def _invite_claim(*, code: str, username: str, password: str, request=None) -> User:
    """The claim itself. The invite row is locked and its use counted with a conditional update
    inside one transaction, so however many requests race for a code, no more than `max_uses` win."""
    invite = Invite.objects.select_for_update().filter(code=code).first()
    if invite is None:
        raise InviteUnavailable(INVITE_REVOKED)
    invite_check(invite)
    username = account_check(username=username, password=password)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, password, role=Role.DEFAULT, invite=invite)
    except IntegrityError:
        raise UsernameTaken(USERNAME_TAKEN) from None
    now = timezone.now()
    counted = (
        Invite.objects.filter(pk=invite.pk, status=InviteStatus.PENDING, use_count__lt=F("max_uses"))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .update(
            use_count=F("use_count") + 1, claimed_by=user, claimed_at=now,
            status=Case(When(use_count__gte=F("max_uses") - 1, then=Value(InviteStatus.CLAIMED)),
                        default=Value(InviteStatus.PENDING)),
        )
    )
    if counted != 1:
        invite.refresh_from_db()
        raise InviteUnavailable(INVITE_REFUSALS.get(invite.state, INVITE_USED_UP))  # rolls the new account back
    Membership = User.workspaces.through
    Membership.objects.bulk_create(
        [Membership(user=user, workspace_id=pk, role=invite.role)
         for pk in invite.workspaces.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    audit_record(AuditAction.INVITE_CLAIMED, request=request, user=user, detail=f"invite {invite.pk}")
    return user
