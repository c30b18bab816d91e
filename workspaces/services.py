"""Writes on workspaces themselves and their memberships; documents and chats have their own services.

The site's Members and Settings tabs and the admin call these, so an owner and an admin
meet the same rules."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from accounts.base import DocentError
from accounts.validators import normalize_username
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.chats.choices import ChatProvider
from workspaces.documents.storage import stored_file_delete
from workspaces.models import NAME_TAKEN, Workspace, WorkspaceUser
from workspaces.roles import WorkspaceRole

NO_SUCH_USER = "No active user is called “%(username)s”."
ALREADY_MEMBER = "“%(username)s” is already a member of this workspace."
CANNOT_CHANGE_OWN_MEMBERSHIP = "You cannot change or remove your own membership: ask another owner."
MODEL_NOT_ALLOWED = "“%(model)s” is not one of the models an administrator allows here."
PROVIDER_NOT_SET_UP = "The OpenAI-compatible provider is not set up on this server (no llm_base_url)."

# What an owner may change on the Settings tab (the admin edits more).
OWNER_SETTINGS = (
    "name", "description", "chat_mode", "system_prompt", "top_n", "similarity_threshold", "chat_provider",
    "chat_model", "private_chats",
)


class MembershipRefused(DocentError):
    """A change to a workspace's members was refused; the message says why."""


def _require(user, action, workspace) -> None:
    if not permissions.may(user, action, workspace):
        raise PermissionDenied(permissions.REFUSALS[action])


@transaction.atomic
def membership_add(*, actor, workspace: Workspace, username: str, role: str | None = None) -> WorkspaceUser:
    """Add an existing, active user to `workspace` with `role` (None: the default member role)."""
    _require(actor, permissions.MANAGE_MEMBERS, workspace)
    username = normalize_username(username or "")
    user = get_user_model().objects.filter(username=username, suspended=False).first()
    if user is None:
        raise MembershipRefused(NO_SUCH_USER % {"username": username}, code="not_found")
    role = role or permissions.default_member_role()
    if role not in WorkspaceRole.values:
        raise MembershipRefused(f"“{role}” is not a workspace role.")
    try:
        with transaction.atomic():
            return WorkspaceUser.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:
        raise MembershipRefused(ALREADY_MEMBER % {"username": username}, code="conflict") from None


def _own_change(actor, membership: WorkspaceUser) -> None:
    """Owners do not demote or remove themselves (staff may: they keep running the workspace)."""
    if actor is not None and membership.user_id == actor.pk and not permissions.can_use_admin(actor):
        raise MembershipRefused(CANNOT_CHANGE_OWN_MEMBERSHIP, code="forbidden")


@transaction.atomic
def membership_set_role(*, actor, membership: WorkspaceUser, role: str) -> WorkspaceUser:
    _require(actor, permissions.MANAGE_MEMBERS, membership.workspace)
    if role not in WorkspaceRole.values:
        raise MembershipRefused(f"“{role}” is not a workspace role.")
    if role != membership.role:
        _own_change(actor, membership)
        WorkspaceUser.objects.filter(pk=membership.pk).update(role=role)
        membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: WorkspaceUser) -> None:
    _require(actor, permissions.MANAGE_MEMBERS, membership.workspace)
    _own_change(actor, membership)
    membership.delete()


def workspace_name_check(*, name: str, exclude_pk=None) -> str:
    """The trimmed name, if no other workspace has it whatever the case; ValidationError otherwise."""
    name = (name or "").strip()
    others = Workspace.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": NAME_TAKEN})
    return name


def allowed_chat_models() -> list[str]:
    """The models an owner may choose: the `owner_chat_models` setting, else `llm_model` alone."""
    listed = [line.strip() for line in (setting_get("owner_chat_models") or "").splitlines() if line.strip()]
    default = setting_get("llm_model")
    return listed or ([default] if default else [])


@transaction.atomic
def workspace_update(*, actor, workspace: Workspace, **changes) -> Workspace:
    """Apply an owner's changes (only OWNER_SETTINGS) after checking them; ValidationError by field."""
    _require(actor, permissions.MANAGE_SETTINGS, workspace)
    unknown = set(changes) - set(OWNER_SETTINGS)
    if unknown:
        raise PermissionDenied(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in changes:
        changes["name"] = workspace_name_check(name=changes["name"], exclude_pk=workspace.pk)
    if changes.get("chat_model") and changes["chat_model"] not in allowed_chat_models():
        raise ValidationError({"chat_model": MODEL_NOT_ALLOWED % {"model": changes["chat_model"]}})
    if changes.get("chat_provider") == ChatProvider.OPENAI_COMPATIBLE and not setting_get("llm_base_url"):
        raise ValidationError({"chat_provider": PROVIDER_NOT_SET_UP})
    for field, value in changes.items():
        setattr(workspace, field, value)
    workspace.full_clean()
    try:
        with transaction.atomic():
            workspace.save()
    except IntegrityError:
        raise ValidationError({"name": NAME_TAKEN}) from None  # a rename raced past the check
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace) -> None:
    """Delete the workspace with its members, documents, passages and chats; the stored
    files of its documents go once the deletion is committed."""
    docpaths = [path for path in workspace.documents.values_list("docpath", flat=True) if path]
    workspace.delete()
    transaction.on_commit(lambda: [stored_file_delete(docpath) for docpath in docpaths])
