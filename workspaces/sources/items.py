"""What a sync does to one file or page of a source: ingest it, replace its document's file
when it changed (by SHA-256), and remove or mark its document when it is gone upstream.
Each goes through the upload's services (`documents.services`) as the system."""

from django.db import transaction
from django.utils import timezone

from accounts.base import DocentError
from workspaces.documents.models import WorkspaceDocument
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.services import document_delete, document_ingest, document_replace
from workspaces.sources.models import MAX_LOCATION_LENGTH, OnRemoval, SourceItem, SourceKind, WorkspaceSource

ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"
KEY_TOO_LONG = "its path or address is longer than the {limit} characters Docent keeps"


def origin_of_item(source: WorkspaceSource, key: str) -> dict:
    """What a document remembers of where it came from (shown with it)."""
    if source.kind == SourceKind.FOLDER:
        return {"source_id": source.pk, "source_name": source.name, "path": f"{source.location.rstrip('/')}/{key}"}
    return {"source_id": source.pk, "source_name": source.name, "url": key}


def item_ingest(*, source: WorkspaceSource, key: str, filename: str, content, sha256: str) -> str:
    """Bring one file or page of `source` in: a new one is ingested (ADDED), a changed one
    replaces its document's file (CHANGED), an unchanged one costs nothing (UNCHANGED).
    A refusal (DocumentRefused) is recorded on the item and raised."""
    if len(key) > MAX_LOCATION_LENGTH:
        raise DocumentRefused(KEY_TOO_LONG.format(limit=MAX_LOCATION_LENGTH))
    item, _ = SourceItem.objects.get_or_create(source=source, key=key)
    document = WorkspaceDocument.objects.filter(pk=item.document_id).select_related("workspace").first()
    was_removed = item.removed_upstream_at is not None
    try:
        if document is not None and item.sha256 == sha256:
            outcome = ADDED if was_removed else UNCHANGED
        elif document is not None:
            document_replace(document=document, uploaded_file=content, user=None)
            outcome = CHANGED
        else:
            document = document_ingest(
                workspace=source.workspace, uploaded_file=content, filename=filename, user=None,
                origin=origin_of_item(source, key),
            )
            outcome = ADDED
    except DocentError as refusal:
        SourceItem.objects.filter(pk=item.pk).update(error=refusal.message, last_updated_at=timezone.now())
        raise
    if was_removed:
        _mark_removed(document, None)
    SourceItem.objects.filter(pk=item.pk).update(
        sha256=sha256, document=document, error="", removed_upstream_at=None, last_updated_at=timezone.now()
    )
    return outcome


def item_gone(*, source: WorkspaceSource, item: SourceItem) -> bool:
    """A file or page no longer upstream: its document is removed or marked, as the source
    says. True when this is news (not counted again on later syncs)."""
    document = WorkspaceDocument.objects.filter(pk=item.document_id).select_related("workspace").first()
    if source.on_removal == OnRemoval.REMOVE:
        if document is not None:
            document_delete(document=document, user=None)
        item.delete()
        return True
    if item.removed_upstream_at is not None:
        return False
    now = timezone.now()
    SourceItem.objects.filter(pk=item.pk).update(removed_upstream_at=now, last_updated_at=now)
    _mark_removed(document, now)
    return True


def _mark_removed(document, when) -> None:
    """Note on the document (shown beside it) that its origin is gone, or (None) back."""
    if document is None:
        return
    with transaction.atomic():
        current = WorkspaceDocument.objects.select_for_update().filter(pk=document.pk).first()
        if current is None:
            return
        metadata = dict(current.metadata or {})
        if when is None:
            metadata.pop("removed_upstream_at", None)
        else:
            metadata["removed_upstream_at"] = when.isoformat()
        # last_updated_at: the documents list shows the note, and its version (and cache) follow that field.
        WorkspaceDocument.objects.filter(pk=document.pk).update(metadata=metadata, last_updated_at=timezone.now())
