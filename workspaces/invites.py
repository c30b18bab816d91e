"""An owner's invite links for their workspace: issued, listed and revoked through the same
services as the admin's (accounts.invites), so the claim is the same race-proof one. A link
issued here grants this workspace alone, with a role up to the issuer's own there; it stops
working once its issuer may no longer grant that (`invite_grants_still`, asked at every claim)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.base import DocentError, ErrorCode
from accounts.invites import invites_disable, invites_issue
from accounts.models import MAX_INVITE_USES, Invite
from workspaces import permissions
from workspaces.models import Workspace

ROLE_ABOVE_OWN = gettext_noop("You may invite people with a role up to your own in this workspace.")
USES_OUT_OF_RANGE = f"An invite link may be used 1 to {MAX_INVITE_USES} times."


class InviteRefused(DocentError):
    """The issue or revocation of an owner's invite was refused; the message says why."""

    default_code = ErrorCode.FORBIDDEN


def workspace_invites(workspace: Workspace):
    """The invites that grant `workspace` and no other workspace (the ones its owners run)."""
    others = Invite.workspaces.through.objects.exclude(workspace=workspace).values("invite")
    return Invite.objects.filter(workspaces=workspace).exclude(pk__in=others)


def workspace_invite_issue(
    *, actor, workspace: Workspace, role: str, max_uses: int = 1, expires_in_days: int | None = 7, request=None
) -> Invite:
    """One invite link into `workspace` with `role`, usable `max_uses` times, expiring after
    `expires_in_days` (None: never)."""
    if not permissions.may(actor, permissions.MANAGE_MEMBERS, workspace):
        raise InviteRefused(permissions.REFUSALS[permissions.MANAGE_MEMBERS])
    if not permissions.may_grant_role(actor, role, workspace):
        raise InviteRefused(ROLE_ABOVE_OWN)
    if not 1 <= max_uses <= MAX_INVITE_USES:
        raise InviteRefused(USES_OUT_OF_RANGE, code=ErrorCode.INVALID)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    return invites_issue(
        created_by=actor, workspaces=[workspace], role=role, max_uses=max_uses, expires_at=expires_at, request=request
    )[0]


def workspace_invite_revoke(*, actor, workspace: Workspace, invite_id: int, request=None) -> int:
    """Revoke one pending invite of `workspace`; 0 when it is not one (or not pending)."""
    if not permissions.may(actor, permissions.MANAGE_MEMBERS, workspace):
        raise InviteRefused(permissions.REFUSALS[permissions.MANAGE_MEMBERS])
    return invites_disable(queryset=workspace_invites(workspace).filter(pk=invite_id), actor=actor, request=request)


def invite_grants_still(issuer, invite: Invite) -> bool:
    """Registered with accounts.rules: may `issuer` still grant `invite`'s role in each of its workspaces?"""
    workspaces = list(invite.workspaces.all())
    return bool(workspaces) and all(permissions.may_grant_role(issuer, invite.role, ws) for ws in workspaces)
