"""Writes on invites: issue, change, revoke, and the race-proof claim that turns one into an
account. The admin and the invite page both call these, so a rule holds whichever door is used."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.invite_throttle import invite_refusal_record, invite_throttle_check
from accounts.models import EXPIRED, AuditAction, Invite, InviteStatus, User, invite_expiry_check
from accounts.roles import Role, WorkspaceRole
from accounts.services import USERNAME_TAKEN, account_check
from accounts.sign_in_policy import SSO_ONLY, local_password_accounts_allowed
from accounts.validators import normalize_username


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
    workspaces = list(invite.workspaces.all())
    granted = ", ".join(sorted(workspace.name for workspace in workspaces)) or "no workspace"
    expires = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC" if invite.expires_at else "never"
    audit_record(action, request=request, user=actor, workspace=workspaces[0] if len(workspaces) == 1 else None,
                 detail=f"invite {invite.pk}{detail}: {invite.role} in {granted}; {invite.max_uses} use(s); "
                        f"expires {expires}")


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


INVITE_USED_UP = gettext_noop(
    "This invite link has been used as many times as it allows. Ask whoever sent it for a new one."
)
INVITE_REVOKED = gettext_noop("This invite link has been revoked. Ask whoever sent it for a new one.")
INVITE_EXPIRED = gettext_noop("This invite link has expired. Ask whoever sent it for a new one.")
INVITE_REFUSALS = {InviteStatus.CLAIMED: INVITE_USED_UP, InviteStatus.DISABLED: INVITE_REVOKED, EXPIRED: INVITE_EXPIRED}


class InviteUnavailable(DocentError):
    default_code = "gone"


class UsernameTaken(DocentError):
    default_code = "conflict"


def invite_check(invite: Invite) -> None:
    """Raise InviteUnavailable saying why, when `invite` cannot be claimed now: expired, used up,
    revoked, or issued by someone who may no longer issue invites (suspended, deleted, demoted; an owner
    no longer owner of the invite's workspace)."""
    if invite.state != InviteStatus.PENDING:
        raise InviteUnavailable(INVITE_REFUSALS[invite.state])
    if not rules.may_keep_invite(invite.created_by, invite):
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
    if not local_password_accounts_allowed():
        raise ValidationError({"password": [SSO_ONLY]})
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


def invite_claim_identity(*, code: str, username: str, email: str = "", request=None) -> User:
    """An invite claimed by single sign-on: a member account without a local password (the
    identity provider vouches for the person), otherwise as `invite_claim`."""
    return _invite_claim(code=code, username=username, password=None, email=email, request=request)


@transaction.atomic
def _invite_claim(*, code: str, username: str, password: str | None, email: str = "", request=None) -> User:
    """The claim itself. The invite row is locked and its use counted with a conditional update
    inside one transaction, so however many requests race for a code, no more than `max_uses` win.
    `password` None: an account that signs in only through its identity provider."""
    invite = Invite.objects.select_for_update().filter(code=code).first()
    if invite is None:
        raise InviteUnavailable(INVITE_REVOKED)
    invite_check(invite)
    if password is not None:
        username = account_check(username=username, password=password)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, password, role=Role.DEFAULT, invite=invite, email=email)
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
    granted = list(invite.workspaces.all())
    Membership.objects.bulk_create(
        [Membership(user=user, workspace_id=workspace.pk, role=invite.role) for workspace in granted],
        ignore_conflicts=True,
    )
    audit_record(AuditAction.INVITE_CLAIMED, request=request, user=user, detail=f"invite {invite.pk} as {invite.role}",
                 workspace=granted[0] if len(granted) == 1 else None)
    return user
