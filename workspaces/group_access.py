"""The workspaces an identity provider's groups give, applied at every sign-in through it
(registered with `accounts.group_sync` when Django starts).

Only memberships that groups created are touched: one whose group went is removed, one whose
mapped role changed follows it. A membership an owner or admin added by hand stays as they set it.
"""

from django.core.exceptions import PermissionDenied

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import WorkspaceRole
from workspaces import permissions
from workspaces.group_models import GroupWorkspace
from workspaces.models import WorkspaceUser

WORKSPACE_ROLE_RANK = {WorkspaceRole.VIEWER: 0, WorkspaceRole.EDITOR: 1, WorkspaceRole.OWNER: 2}


def workspaces_from_groups(groups) -> dict[int, str]:
    """Workspace id -> the highest role any of `groups` gives there."""
    wanted: dict[int, str] = {}
    for workspace_id, role in GroupWorkspace.objects.filter(group__in=groups).values_list("workspace_id", "role"):
        if WORKSPACE_ROLE_RANK[role] >= WORKSPACE_ROLE_RANK.get(wanted.get(workspace_id), -1):
            wanted[workspace_id] = role
    return wanted


def group_memberships_apply(*, user, groups, request=None) -> None:
    wanted = workspaces_from_groups(groups)
    held = {m.workspace_id: m for m in WorkspaceUser.objects.filter(user=user).select_related("workspace")}
    for workspace_id, membership in held.items():
        if not membership.from_groups:
            continue
        if workspace_id not in wanted:
            membership.delete()
            audit_record(AuditAction.MEMBER_REMOVED, request=request, user=user,
                         detail=f"{membership.workspace.name}: no longer in a group that gives it")
        elif membership.role != wanted[workspace_id]:
            before = membership.role
            WorkspaceUser.objects.filter(pk=membership.pk).update(role=wanted[workspace_id])
            audit_record(AuditAction.MEMBER_ROLE_CHANGED, request=request, user=user,
                         detail=f"{membership.workspace.name}: {before} -> {wanted[workspace_id]} (groups)")
    for workspace_id, role in wanted.items():
        if workspace_id in held:
            continue
        membership = WorkspaceUser.objects.create(user=user, workspace_id=workspace_id, role=role, from_groups=True)
        audit_record(AuditAction.MEMBER_ADDED, request=request, user=user,
                     detail=f"{membership.workspace.name} as {role} (groups)")


def groups_give_workspaces(groups) -> bool:
    return GroupWorkspace.objects.filter(group__in=groups).exists()


def group_workspace_save(*, actor, mapping: GroupWorkspace, request=None) -> GroupWorkspace:
    """Who may manage a workspace's members may map a group to it."""
    if not permissions.may(actor, permissions.MANAGE_MEMBERS, mapping.workspace):
        raise PermissionDenied("You do not manage the members of that workspace.")
    mapping.full_clean()
    mapping.save()
    audit_record(AuditAction.GROUP_MAPPING_CHANGED, request=request, user=actor, detail=f"saved {mapping}")
    return mapping


def group_workspace_delete(*, actor, mapping: GroupWorkspace, request=None) -> None:
    if not permissions.may(actor, permissions.MANAGE_MEMBERS, mapping.workspace):
        raise PermissionDenied("You do not manage the members of that workspace.")
    audit_record(AuditAction.GROUP_MAPPING_CHANGED, request=request, user=actor, detail=f"deleted {mapping}")
    mapping.delete()
