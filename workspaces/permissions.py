"""The one answer to "may this user do X in this workspace".

Views (through `WorkspaceMixin.required_action`), the admin (`workspaces.admin_permissions`),
templates (the `may` context), services, tasks and commands all ask here.

The rules:
- A member's role in a workspace (`workspace_users.role`) decides what they may do there:
  a viewer sees, searches and asks; an editor also uploads and deletes the documents they
  uploaded; an owner also manages the workspace's members, settings and sources (watched
  folders, web pages) and deletes any of its documents.
- Admins may do everything everywhere. Managers likewise while the `manager_scope` setting
  is "all" (the default); with "owned" they run only the workspaces they own and are plain
  members (by their role) elsewhere.
- Only admins and managers open the Django admin; its lists show only what they run.
- The rules about people alone (who is admin, manager, active) are `accounts.rules`; this
  module builds on them and is what every caller outside `accounts` asks.
- The text of a chat asked while its workspace's chats were private (`workspace_chats.private`)
  is read by nobody but the asker, for good: the chat log shows who, when and where, not what.
  While a workspace's chats are private, the text of its earlier chats is hidden too.
- A user who is not signed in, or suspended, may do nothing. `user=None` is the system
  (the import command, a task): it may do everything.
- An API key acts as its user, never beyond (`may_with_key`): the user's permission at the
  moment of use, AND an action its scopes cover (`SCOPE_ACTIONS`), AND a workspace it is
  limited to (when it is limited).
"""

from accounts import rules
from accounts.api_keys import SCOPE_ASK, SCOPE_MANAGE, SCOPE_READ, SCOPE_WRITE
from accounts.roles import WorkspaceRole
from settings_app.services import setting_get

SEE = "see"
SEARCH = "search"
ASK = "ask"
UPLOAD = "upload"
DELETE_OWN_DOCUMENT = "delete_own_document"
DELETE_DOCUMENT = "delete_document"
MANAGE_MEMBERS = "manage_members"
MANAGE_SETTINGS = "manage_settings"
MANAGE_SOURCES = "manage_sources"
READ_CHAT_LOG = "read_chat_log"
READ_CHAT_TEXT = "read_chat_text"
MANAGE_WORKSPACES = "manage_workspaces"
# The workspace's Insights and Activity tabs: usage by day and person, unanswered questions (without
# the text of private chats), the audit trail of the workspace.
READ_INSIGHTS = "read_insights"

ACTIONS = (
    SEE, SEARCH, ASK, UPLOAD, DELETE_OWN_DOCUMENT, DELETE_DOCUMENT, MANAGE_MEMBERS, MANAGE_SETTINGS, MANAGE_SOURCES,
    READ_CHAT_LOG, READ_CHAT_TEXT, MANAGE_WORKSPACES, READ_INSIGHTS,
)

VIEWER_ACTIONS = frozenset({SEE, SEARCH, ASK})
EDITOR_ACTIONS = VIEWER_ACTIONS | {UPLOAD, DELETE_OWN_DOCUMENT}
OWNER_ACTIONS = EDITOR_ACTIONS | {DELETE_DOCUMENT, MANAGE_MEMBERS, MANAGE_SETTINGS, MANAGE_SOURCES, READ_INSIGHTS}
ROLE_ACTIONS = {WorkspaceRole.VIEWER: VIEWER_ACTIONS, WorkspaceRole.EDITOR: EDITOR_ACTIONS,
                WorkspaceRole.OWNER: OWNER_ACTIONS}
STAFF_ACTIONS = frozenset(ACTIONS)

MANAGER_SCOPE_ALL = "all"
MANAGER_SCOPE_OWNED = "owned"

# Why an action was refused, for the 403 page and the services' PermissionDenied.
REFUSALS = {
    UPLOAD: "Only editors and owners of this workspace may upload documents.",
    DELETE_DOCUMENT: "Only whoever uploaded this document, the workspace's owners and administrators may delete it.",
    MANAGE_MEMBERS: "Only the workspace's owners and administrators may manage its members.",
    MANAGE_SETTINGS: "Only the workspace's owners and administrators may change its settings.",
    READ_INSIGHTS: "Only the workspace's owners and administrators may read its insights and activity.",
    MANAGE_SOURCES: "Only the workspace's owners and administrators may manage its sources.",
}


_active = rules.is_active
_is_staff = rules.runs_the_admin


def _manager_runs_all() -> bool:
    return setting_get("manager_scope") != MANAGER_SCOPE_OWNED


def _runs_everything(user) -> bool:
    """The system, an admin, or a manager while managers run every workspace."""
    if user is None:
        return True
    return rules.is_admin(user) or (rules.is_manager(user) and _manager_runs_all())


def runs_every_workspace(user) -> bool:
    """True when no list needs narrowing for `user` (the admin's querysets ask this first)."""
    return _runs_everything(user)


def role_in(user, workspace) -> str | None:
    """`user`'s membership role in `workspace`, None when not a member."""
    if not _active(user) or workspace is None or workspace.pk is None:
        return None
    if workspace.__dict__.get("member_role_user") == user.pk:  # annotated by Workspace.objects.with_role_of(user)
        return workspace.member_role
    return workspace.memberships.filter(user=user).values_list("role", flat=True).first()


def actions_for(user, role: str | None) -> frozenset:
    """What `user` may do in a workspace where their membership role is `role` (None: not a member)."""
    if _runs_everything(user):
        return STAFF_ACTIONS
    if not _active(user) or role is None:
        return frozenset()
    if role == WorkspaceRole.OWNER and _is_staff(user):
        return STAFF_ACTIONS  # a manager limited to the workspaces they own runs those entirely
    return ROLE_ACTIONS.get(role, frozenset())


def _answer(actions: frozenset, action: str, workspace) -> bool:
    if action == READ_CHAT_TEXT and workspace is not None and workspace.private_chats:
        return False
    return action in actions


def may(user, action: str, workspace=None) -> bool:
    """May `user` do `action` in `workspace`? With `workspace=None`: somewhere at all
    (the admin's lists, which then show only the workspaces `workspaces_where` gives)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if workspace is None:
        if _is_staff(user) or _runs_everything(user):
            return True
        return _active(user) and action in VIEWER_ACTIONS
    return _answer(actions_for(user, role_in(user, workspace)), action, workspace)


def permissions_in(user, workspace, *, seen: bool = True) -> dict[str, bool]:
    """Every action's answer for `user` in `workspace`, for templates (`{% if may.upload %}`):
    one query for the membership role at most. (`seen` is kept for callers of the old signature.)"""
    actions = STAFF_ACTIONS if _runs_everything(user) else actions_for(user, role_in(user, workspace))
    return {action: _answer(actions, action, workspace) for action in ACTIONS}


def may_delete_document(user, document, *, granted: dict | None = None) -> bool:
    """Object-level: owners and staff delete any document; editors the ones they uploaded.
    `granted` is `permissions_in(user, document.workspace)` when the caller has it (no query then)."""
    if granted is None:
        actions = actions_for(user, role_in(user, document.workspace))
        granted = {action: action in actions for action in ACTIONS}
    if granted[DELETE_DOCUMENT]:
        return True
    return granted[DELETE_OWN_DOCUMENT] and user is not None and document.uploaded_by_id == user.pk


def chat_text_readable(chat) -> bool:
    """For whoever may read the chat log of `chat`'s workspace: may they read its text too?
    (No query when the workspace is loaded with the chat.)"""
    return not chat.private and _answer(STAFF_ACTIONS, READ_CHAT_TEXT, chat.workspace)


def chats_with_readable_text(queryset):
    """`queryset` of chats narrowed to those whose text the chat log may show (and search)."""
    return queryset.filter(private=False, workspace__private_chats=False)


def visible_workspaces(user, queryset):
    """`queryset` narrowed to the workspaces `user` may see."""
    return workspaces_where(user, SEE, queryset)


def workspaces_where(user, action: str, queryset):
    """`queryset` narrowed to the workspaces where `user` may do `action` (the admin's lists)."""
    if _runs_everything(user):
        return queryset.all()
    if not _active(user):
        return queryset.none()
    roles = [role for role in WorkspaceRole.values if action in actions_for(user, role)]
    return queryset.filter(memberships__user=user, memberships__role__in=roles)


def default_member_role() -> str:
    """The role of someone added to a workspace without one being chosen (the `members_can_upload` setting)."""
    return WorkspaceRole.EDITOR if setting_get("members_can_upload") else WorkspaceRole.VIEWER


def may_create_workspace(user) -> bool:
    """Admins and managers always; members while the `members_create_workspaces` setting is on."""
    if _is_staff(user):
        return True
    return _active(user) and not user.is_service_account and bool(setting_get("members_create_workspaces"))


ROLE_RANK = {WorkspaceRole.VIEWER: 0, WorkspaceRole.EDITOR: 1, WorkspaceRole.OWNER: 2}


def may_grant_role(user, role: str, workspace) -> bool:
    """May `user` invite people into `workspace` with `role`: who manages its members, up to their own role
    there (staff who run the workspace: any role)."""
    if role not in ROLE_RANK or not may(user, MANAGE_MEMBERS, workspace):
        return False
    if _runs_everything(user):
        return True
    return ROLE_RANK[role] <= ROLE_RANK.get(role_in(user, workspace), -1)


def can_use_admin(user) -> bool:
    """Who sees the Admin link and may sign in at /admin/."""
    return _is_staff(user)


# What each API key scope lets a key do (re-indexing asks DELETE_DOCUMENT, as on the site).
SCOPE_ACTIONS = {
    SCOPE_READ: frozenset({SEE, SEARCH}),
    SCOPE_ASK: frozenset({ASK}),
    SCOPE_WRITE: frozenset({UPLOAD, DELETE_OWN_DOCUMENT, DELETE_DOCUMENT}),
    SCOPE_MANAGE: frozenset({MANAGE_MEMBERS, MANAGE_SETTINGS}),
}


def key_covers(key, action: str) -> bool:
    """Do `key`'s scopes cover `action` (whatever its user may do)?"""
    return any(action in SCOPE_ACTIONS.get(scope, ()) for scope in key.scopes)


def key_reaches(key, workspace) -> bool:
    """Is `workspace` within the workspaces `key` is limited to (any, when it is not limited)?"""
    return not key.restricted or (workspace is not None and workspace.pk in key.workspace_ids)


def may_with_key(key, action: str, workspace) -> bool:
    """May the holder of API key `key` do `action` in `workspace`? Its user must may, now."""
    return key_covers(key, action) and key_reaches(key, workspace) and may(key.user, action, workspace)


def workspaces_for_key(key, action: str, queryset):
    """`queryset` narrowed to the workspaces where `key` may do `action` (the API's lists)."""
    if not key_covers(key, action):
        return queryset.none()
    queryset = workspaces_where(key.user, action, queryset)
    if key.restricted:
        queryset = queryset.filter(pk__in=key.workspace_ids)
    return queryset


def key_reaches_slug(key, slug: str, queryset):
    """The workspace `slug` if `key`'s user may see it and the key is not limited away from it
    (whatever its scopes): the API tells "not yours" (404) from "not with this key" (403)."""
    workspace = workspaces_where(key.user, SEE, queryset).filter(slug=slug).first()
    return workspace if workspace is not None and key_reaches(key, workspace) else None
