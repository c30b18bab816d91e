"""Writes on workspaces themselves and their memberships; documents and chats have their own services.

The site's Members and Settings tabs and the admin call these, so an owner and an admin
meet the same rules, and every change is audited here with who and from → to."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction
from accounts.roles import WorkspaceRole
from accounts.validators import normalize_username
from settings_app.choices import ChatProvider
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.documents.ocr import ocr_languages_check
from workspaces.documents.storage import stored_file_delete
from workspaces.models import NAME_TAKEN, Workspace, WorkspaceUser

NO_SUCH_USER = gettext_noop("No active user is called “%(username)s”.")
ALREADY_MEMBER = gettext_noop("“%(username)s” is already a member of this workspace.")
CANNOT_CHANGE_OWN_MEMBERSHIP = gettext_noop("You cannot change or remove your own membership: ask another owner.")
MODEL_NOT_ALLOWED = gettext_noop("“%(model)s” is not one of the models an administrator allows here.")
WORKSPACE_CREATE_REFUSED = gettext_noop("Only administrators and managers may create workspaces here; ask one of them.")
PROVIDER_NOT_SET_UP = "The OpenAI-compatible provider is not set up on this server (no llm_base_url)."

# What an owner may change on the Settings tab (the admin edits more).
OWNER_SETTINGS = (
    "name", "description", "chat_mode", "system_prompt", "top_n", "similarity_threshold", "chat_provider",
    "chat_model", "fallback_to_builtin", "private_chats", "ocr_languages",
)


# Fields whose old and new values are too long for an audit row: the row says they changed.
LONG_TEXT_FIELDS = ("description", "system_prompt")


class MembershipRefused(DocentError):
    """A change to a workspace's members was refused; the message says why."""


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "(default)" if value in ("", None) else str(value)


def _workspace_changes_record(*, actor, workspace: Workspace, before: dict, request=None) -> None:
    """Audit what changed between `before` (field → value) and `workspace` now; a switch of
    private chats is an event of its own (`_privacy_switch_date` dated it before the save)."""
    changed = [field for field, value in before.items() if getattr(workspace, field) != value]
    if "private_chats" in changed:
        changed.remove("private_chats")
        audit_record(
            AuditAction.PRIVATE_CHATS_CHANGED, request=request, user=actor, username=_actor_name(actor),
            detail=f"{workspace.name}: private chats {_shown(before['private_chats'])} → "
                   f"{_shown(workspace.private_chats)}", workspace=workspace,
        )
    if changed:
        parts = [f"{field} changed" if field in LONG_TEXT_FIELDS
                 else f"{field} {_shown(before[field])} → {_shown(getattr(workspace, field))}" for field in changed]
        audit_record(AuditAction.WORKSPACE_CHANGED, request=request, user=actor, username=_actor_name(actor),
                     detail=f"{workspace.name}: {'; '.join(parts)}", workspace=workspace)


def _privacy_switch_date(workspace: Workspace, before: dict) -> None:
    """A switch of private chats dates the workspace's `private_chats_since` (the chat page says since when)."""
    if "private_chats" in before and workspace.private_chats != before["private_chats"]:
        workspace.private_chats_since = timezone.now()


def _actor_name(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _membership_record(action: str, *, actor, membership: WorkspaceUser, detail: str = "", request=None) -> None:
    audit_record(action, request=request, user=actor, username=_actor_name(actor),
                 detail=f"{membership.workspace.name}: {membership.user.username}{detail}",
                 workspace=membership.workspace)


def _require(user, action, workspace) -> None:
    if not permissions.may(user, action, workspace):
        raise PermissionDenied(permissions.REFUSALS[action])


@transaction.atomic
def membership_add(*, actor, workspace: Workspace, username: str, role: str | None = None,
                   request=None) -> WorkspaceUser:
    """Add an existing, active user to `workspace` with `role` (None: the default member role)."""
    _require(actor, permissions.MANAGE_MEMBERS, workspace)
    username = normalize_username(username or "")
    user = get_user_model().objects.filter(username=username, suspended=False).first()
    if user is None:
        raise MembershipRefused(gettext(NO_SUCH_USER) % {"username": username}, code="not_found")
    role = role or permissions.default_member_role()
    if role not in WorkspaceRole.values:
        raise MembershipRefused(f"“{role}” is not a workspace role.")
    try:
        with transaction.atomic():
            membership = WorkspaceUser.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:
        raise MembershipRefused(gettext(ALREADY_MEMBER) % {"username": username}, code="conflict") from None
    _membership_record(AuditAction.MEMBER_ADDED, actor=actor, membership=membership, detail=f" as {role}",
                       request=request)
    return membership


def memberships_save(*, actor, added=(), changed=(), removed=(), request=None) -> None:
    """The admin's membership lists (on a workspace or on a user), row by row through the
    services above. `changed` holds (membership as edited, the names of the fields edited)."""
    for membership in removed:
        membership_remove(actor=actor, membership=membership, request=request)
    for membership, fields in changed:
        if {"user", "workspace"} & set(fields):  # another person or place: a removal and an addition
            membership_remove(actor=actor, membership=WorkspaceUser.objects.get(pk=membership.pk), request=request)
            added = [*added, WorkspaceUser(workspace=membership.workspace, user=membership.user, role=membership.role)]
        elif "role" in fields:
            membership_set_role(actor=actor, membership=membership, role=membership.role, request=request)
    for membership in added:
        membership_add(actor=actor, workspace=membership.workspace, username=membership.user.username,
                       role=membership.role, request=request)


def _own_change(actor, membership: WorkspaceUser) -> None:
    """Owners do not demote or remove themselves (staff may: they keep running the workspace)."""
    if actor is not None and membership.user_id == actor.pk and not permissions.can_use_admin(actor):
        raise MembershipRefused(CANNOT_CHANGE_OWN_MEMBERSHIP, code="forbidden")


@transaction.atomic
def membership_set_role(*, actor, membership: WorkspaceUser, role: str, request=None) -> WorkspaceUser:
    _require(actor, permissions.MANAGE_MEMBERS, membership.workspace)
    if role not in WorkspaceRole.values:
        raise MembershipRefused(f"“{role}” is not a workspace role.")
    stored = WorkspaceUser.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if role != stored:
        _own_change(actor, membership)
        WorkspaceUser.objects.filter(pk=membership.pk).update(role=role)
        _membership_record(AuditAction.MEMBER_ROLE_CHANGED, actor=actor, membership=membership,
                           detail=f" {stored} → {role}", request=request)
    membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: WorkspaceUser, request=None) -> None:
    _require(actor, permissions.MANAGE_MEMBERS, membership.workspace)
    _own_change(actor, membership)
    membership.delete()
    _membership_record(AuditAction.MEMBER_REMOVED, actor=actor, membership=membership,
                       detail=f" (was {membership.role})", request=request)


def workspace_name_check(*, name: str, exclude_pk=None) -> str:
    """The trimmed name, if no other workspace has it whatever the case; ValidationError otherwise."""
    name = (name or "").strip()
    others = Workspace.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": gettext(NAME_TAKEN)})
    return name


def allowed_chat_models() -> list[str]:
    """The models an owner may choose: the `owner_chat_models` setting, else `llm_model` alone."""
    listed = [line.strip() for line in (setting_get("owner_chat_models") or "").splitlines() if line.strip()]
    default = setting_get("llm_model")
    return listed or ([default] if default else [])


@transaction.atomic
def workspace_update(*, actor, workspace: Workspace, request=None, **changes) -> Workspace:
    """Apply an owner's changes (only OWNER_SETTINGS) after checking them; ValidationError by field."""
    _require(actor, permissions.MANAGE_SETTINGS, workspace)
    before = _stored_values(workspace, OWNER_SETTINGS)
    unknown = set(changes) - set(OWNER_SETTINGS)
    if unknown:
        raise PermissionDenied(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in changes:
        changes["name"] = workspace_name_check(name=changes["name"], exclude_pk=workspace.pk)
    if changes.get("chat_model") and changes["chat_model"] not in allowed_chat_models():
        raise ValidationError({"chat_model": gettext(MODEL_NOT_ALLOWED) % {"model": changes["chat_model"]}})
    if changes.get("chat_provider") == ChatProvider.OPENAI_COMPATIBLE and not setting_get("llm_base_url"):
        raise ValidationError({"chat_provider": PROVIDER_NOT_SET_UP})
    if "ocr_languages" in changes:
        try:
            changes["ocr_languages"] = ocr_languages_check(
                value=changes["ocr_languages"], previous=before.get("ocr_languages")
            )
        except ValidationError as error:
            raise ValidationError({"ocr_languages": error.messages}) from None
    for field, value in changes.items():
        setattr(workspace, field, value)
    _privacy_switch_date(workspace, before)
    workspace.full_clean()
    try:
        with transaction.atomic():
            workspace.save()
    except IntegrityError:
        raise ValidationError({"name": gettext(NAME_TAKEN)}) from None  # a rename raced past the check
    _workspace_changes_record(actor=actor, workspace=workspace, before=before, request=request)
    return workspace


def _stored_values(workspace: Workspace, fields) -> dict:
    """`fields` of `workspace` as the database holds them (not as a form may have set them already)."""
    return Workspace.objects.filter(pk=workspace.pk).values(*fields).first() or {}


def _workspace_created(*, actor, workspace: Workspace, request=None) -> None:
    """Whoever creates a workspace (on the site or in the admin) is its owner, audited."""
    if actor is not None:
        WorkspaceUser.objects.get_or_create(workspace=workspace, user=actor, defaults={"role": WorkspaceRole.OWNER})
    audit_record(AuditAction.WORKSPACE_CREATED, request=request, user=actor, username=_actor_name(actor),
                 detail=f"{workspace.name}{' (private chats)' if workspace.private_chats else ''}", workspace=workspace)


@transaction.atomic
def workspace_create(*, actor, name: str, description: str = "", request=None) -> Workspace:
    """The site's door: a new workspace owned by `actor` (`permissions.may_create_workspace`)."""
    if not permissions.may_create_workspace(actor):
        raise PermissionDenied(WORKSPACE_CREATE_REFUSED)
    workspace = Workspace(name=workspace_name_check(name=name), description=(description or "").strip())
    workspace.full_clean(exclude=["slug"])
    try:
        with transaction.atomic():
            workspace.save()
    except IntegrityError:
        raise ValidationError({"name": gettext(NAME_TAKEN)}) from None  # created by someone else since the check
    _workspace_created(actor=actor, workspace=workspace, request=request)
    return workspace


@transaction.atomic
def workspace_save(*, actor, workspace: Workspace, request=None) -> Workspace:
    """The admin's door: save `workspace` as its form set it (every field), audited. Whoever
    creates one becomes its owner."""
    if workspace.pk is None:
        _require(actor, permissions.MANAGE_WORKSPACES, None)
        workspace.save()
        _workspace_created(actor=actor, workspace=workspace, request=request)
        return workspace
    _require(actor, permissions.MANAGE_WORKSPACES, workspace)
    fields = [field.name for field in Workspace._meta.concrete_fields
              if field.editable and field.name not in ("id", "slug", "private_chats_since")]
    before = _stored_values(workspace, fields)
    _privacy_switch_date(workspace, before)
    workspace.save()
    _workspace_changes_record(actor=actor, workspace=workspace, before=before, request=request)
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace, actor=None, request=None) -> None:
    """Delete the workspace with its members, documents, passages and chats; the stored
    files of its documents go once the deletion is committed."""
    docpaths = [path for path in workspace.documents.values_list("docpath", flat=True) if path]
    name = workspace.name
    workspace.delete()
    audit_record(AuditAction.WORKSPACE_DELETED, request=request, user=actor, username=_actor_name(actor),
                 detail=f"{name}: {len(docpaths)} documents")
    transaction.on_commit(lambda: [stored_file_delete(docpath) for docpath in docpaths])
