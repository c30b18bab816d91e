"""Writes on workspaces themselves; documents and chats have their own services."""

from django.db import transaction

from workspaces.documents.storage import stored_file_delete
from workspaces.models import Workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace) -> None:
    """Delete the workspace with its members, documents, passages and chats; the stored
    files of its documents go once the deletion is committed."""
    docpaths = [path for path in workspace.documents.values_list("docpath", flat=True) if path]
    workspace.delete()
    transaction.on_commit(lambda: [stored_file_delete(docpath) for docpath in docpaths])
