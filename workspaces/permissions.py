"""The one answer to "may this user do X in this workspace".

Views (through `WorkspaceMixin.required_action`), the admin, templates (the
`workspace_permissions` context and `{% may %}`), services, tasks and commands all
ask here, so a change of rule (per-workspace roles, say) changes this module only.

Today's rules: admins and managers may do everything everywhere; a member sees,
searches and asks in the workspaces they belong to, and uploads only while the
`members_can_upload` setting is on. A user who is not signed in, or suspended, may
do nothing. `user=None` is the system (the import command, a task): it may do
everything a staff member may.
"""

from accounts.models import STAFF_ROLES
from settings_app.services import setting_get

SEE = "see"
SEARCH = "search"
ASK = "ask"
UPLOAD = "upload"
DELETE_DOCUMENT = "delete_document"
MANAGE_MEMBERS = "manage_members"
READ_CHAT_LOG = "read_chat_log"
MANAGE_WORKSPACES = "manage_workspaces"

MEMBER_ACTIONS = frozenset({SEE, SEARCH, ASK})
ACTIONS = (SEE, SEARCH, ASK, UPLOAD, DELETE_DOCUMENT, MANAGE_MEMBERS, READ_CHAT_LOG, MANAGE_WORKSPACES)

# Why an action was refused, for the 403 page.
REFUSALS = {
    UPLOAD: "Only administrators and managers may upload documents here.",
    DELETE_DOCUMENT: "Only administrators and managers may delete documents.",
    MANAGE_MEMBERS: "Only administrators and managers may manage members.",
}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _runs_everything(user) -> bool:
    return user is None or (_active(user) and user.role in STAFF_ROLES)


def is_member(user, workspace) -> bool:
    return _active(user) and workspace.memberships.filter(user=user).exists()


def visible_workspaces(user, queryset):
    """`queryset` narrowed to the workspaces `user` may see."""
    if _runs_everything(user):
        return queryset.all()
    if not _active(user):
        return queryset.none()
    return queryset.filter(memberships__user=user)


def may(user, action: str, workspace=None) -> bool:
    """May `user` do `action` in `workspace` (None: anywhere, e.g. the admin's lists)?"""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if _runs_everything(user):
        return True
    if not _active(user):
        return False
    if not _member_may(action):
        return False
    return workspace is None or is_member(user, workspace)


def _member_may(action: str) -> bool:
    """What a plain member may do in a workspace they belong to."""
    return bool(setting_get("members_can_upload")) if action == UPLOAD else action in MEMBER_ACTIONS


def permissions_in(user, workspace, *, seen: bool = True) -> dict[str, bool]:
    """Every action's answer for `user` in `workspace`, for templates (`{% if may.upload %}`).

    `seen=True` says the caller has already scoped `workspace` to the user (the view mixin
    did), so membership is not queried again."""
    if _runs_everything(user):
        return dict.fromkeys(ACTIONS, True)
    if not _active(user) or not (seen or is_member(user, workspace)):
        return dict.fromkeys(ACTIONS, False)
    return {action: _member_may(action) for action in ACTIONS}


def can_use_admin(user) -> bool:
    """Who sees the Admin link and may sign in at /admin/."""
    return _runs_everything(user) and user is not None
