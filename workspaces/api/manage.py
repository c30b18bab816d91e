"""Members and settings of a workspace (the `manage` scope): what an owner does on the
Members and Settings tabs, through the same services (`workspaces.services`)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.base import DocentError
from accounts.roles import WorkspaceRole
from workspaces import permissions
from workspaces.api.access import workspace_for
from workspaces.api.documents import PageQuery
from workspaces.api.pagination import page_by_name
from workspaces.chats.choices import ChatMode
from workspaces.models import MAX_TOP_N, WorkspaceUser
from workspaces.services import membership_add, membership_remove, membership_set_role, workspace_update

router = Router(tags=["members and settings"])

NO_MEMBER = "“%(username)s” is not a member of this workspace."
NOTHING_TO_CHANGE = "Send at least one setting to change."


class MemberOut(Schema):
    username: str
    role: str
    joined_at: datetime


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberIn(Schema):
    username: str = Field(max_length=150)
    role: WorkspaceRole | None = Field(None, description="Empty: the default member role.")


class RoleIn(Schema):
    role: WorkspaceRole


class SettingsIn(Schema):
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=2000)
    chat_mode: ChatMode | None = None
    system_prompt: str | None = Field(None, max_length=20_000)
    top_n: int | None = Field(None, ge=1, le=MAX_TOP_N)
    similarity_threshold: float | None = Field(None, ge=0.0, le=1.0)
    fallback_to_builtin: bool | None = None
    private_chats: bool | None = None


class SettingsOut(Schema):
    slug: str
    name: str
    description: str
    chat_mode: str
    system_prompt: str
    top_n: int
    similarity_threshold: float
    fallback_to_builtin: bool
    private_chats: bool


def member_out(membership: WorkspaceUser) -> dict:
    return {"username": membership.user.username, "role": membership.role, "joined_at": membership.created_at}


def _membership(workspace, username: str) -> WorkspaceUser:
    membership = workspace.memberships.select_related("user", "workspace").filter(user__username=username).first()
    if membership is None:
        raise Http404(NO_MEMBER % {"username": username[:150]})
    return membership


def _invalid(error: ValidationError) -> DocentError:
    return DocentError(" ".join(error.messages))


@router.get("/workspaces/{slug}/members", response=MemberPage, summary="Members and their roles (owners)")
def member_list(request, slug: str, page: Query[PageQuery]):
    workspace = workspace_for(request, slug, permissions.MANAGE_MEMBERS)
    memberships = workspace.memberships.select_related("user").annotate(member_name=F("user__username"))
    rows, next_cursor = page_by_name(memberships, cursor=page.cursor, limit=page.limit, field="member_name")
    return {"items": [member_out(membership) for membership in rows], "next_cursor": next_cursor}


@router.post("/workspaces/{slug}/members", response={201: MemberOut}, summary="Add a member (owners)")
def member_add(request, slug: str, body: MemberIn):
    workspace = workspace_for(request, slug, permissions.MANAGE_MEMBERS)
    membership = membership_add(actor=request.user, workspace=workspace, username=body.username,
                                role=body.role, request=request)
    return Status(201, member_out(membership))


@router.patch("/workspaces/{slug}/members/{username}", response=MemberOut, summary="Change a member's role")
def member_role(request, slug: str, username: str, body: RoleIn):
    workspace = workspace_for(request, slug, permissions.MANAGE_MEMBERS)
    membership = membership_set_role(actor=request.user, membership=_membership(workspace, username),
                                     role=body.role, request=request)
    return member_out(membership)


@router.delete("/workspaces/{slug}/members/{username}", response={204: None}, summary="Remove a member")
def member_remove(request, slug: str, username: str):
    workspace = workspace_for(request, slug, permissions.MANAGE_MEMBERS)
    membership_remove(actor=request.user, membership=_membership(workspace, username), request=request)
    return Status(204, None)


@router.patch("/workspaces/{slug}/settings", response=SettingsOut, summary="Change the workspace's settings")
def settings_change(request, slug: str, body: SettingsIn):
    workspace = workspace_for(request, slug, permissions.MANAGE_SETTINGS)
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise DocentError(NOTHING_TO_CHANGE)
    try:
        workspace = workspace_update(actor=request.user, workspace=workspace, request=request, **changes)
    except ValidationError as error:
        raise _invalid(error) from None
    return {field: getattr(workspace, field) for field in SettingsOut.model_fields}
