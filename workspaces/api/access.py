"""Which workspace or document an API request may reach: the key's user's permission now,
the key's scopes and its workspace limit (`permissions.may_with_key`), nothing looked up by a
bare id outside that. A workspace the key cannot see answers 404, as a page does; one it sees
but may not act in answers 403 naming what is missing."""

import uuid

from django.http import Http404

from accounts.base import DocentError, ErrorCode
from workspaces import permissions
from workspaces.documents.models import WorkspaceDocument
from workspaces.models import Workspace

NO_WORKSPACE = "No workspace “%(slug)s” that this key may use."
NO_DOCUMENT = "No such document in this workspace."
SCOPE_MISSING = "This API key's scopes (%(scopes)s) do not allow this: it needs the “%(scope)s” scope."
NOT_PERMITTED = "Your role in this workspace does not allow this."


def scope_for(action: str) -> str:
    return next((scope for scope, actions in permissions.SCOPE_ACTIONS.items() if action in actions), "?")


def workspace_for(request, slug: str, action: str) -> Workspace:
    """The workspace `slug` if the request's key may do `action` there (annotated with the
    user's role, so permission checks after this need no query)."""
    key = request.auth
    workspaces = Workspace.objects.with_role_of(key.user)
    workspace = permissions.workspaces_for_key(key, action, workspaces).filter(slug=slug).first()
    if workspace is not None:
        return workspace
    seen = permissions.key_reaches_slug(key, slug, workspaces)
    if seen is None:
        raise Http404(NO_WORKSPACE % {"slug": slug[:80]})
    if not permissions.key_covers(key, action):
        scopes = ", ".join(key.scopes)
        raise DocentError(SCOPE_MISSING % {"scopes": scopes, "scope": scope_for(action)}, code=ErrorCode.FORBIDDEN)
    raise DocentError(permissions.REFUSALS.get(action, NOT_PERMITTED), code=ErrorCode.FORBIDDEN)


def document_in(workspace: Workspace, doc_id) -> WorkspaceDocument:
    try:
        doc_id = uuid.UUID(str(doc_id))
    except ValueError:
        raise Http404(NO_DOCUMENT) from None
    document = workspace.documents.filter(doc_id=doc_id).first()
    if document is None:
        raise Http404(NO_DOCUMENT)
    document.workspace = workspace
    return document


def key_actions(key, workspace: Workspace) -> list[str]:
    """What `key` may do in `workspace` now, from the role the workspace was loaded with."""
    granted = permissions.permissions_in(key.user, workspace)
    return [
        action for action, allowed in granted.items()
        if allowed and permissions.key_covers(key, action) and permissions.key_reaches(key, workspace)
    ]
