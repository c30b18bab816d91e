"""Writes to workspace documents: ingest (check, store, extract, split) and delete.

A row without its file, or a file without its row, is never left behind.
Every rule of an upload (who may, size, type, duplicates) is enforced here, so the
upload page, the admin and the import command refuse the same things.
"""

import hashlib
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.fields.json import KT
from django.db.models.lookups import Exact

from accounts.audit import audit_record
from accounts.models import AuditAction
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.documents.extraction import DocumentRefused, extract_text, filename_for_display
from workspaces.documents.models import DocumentPassage, WorkspaceDocument
from workspaces.documents.passages import split_passages
from workspaces.documents.storage import stored_file_delete, stored_file_save
from workspaces.models import Workspace
from workspaces.retrieval.services import passages_embed

MB = 1024 * 1024
FILE_TOO_LARGE = "“{name}” is larger than the {limit} MB an upload may be."
EMPTY_FILE = "“{name}” is empty."
DUPLICATE_DOCUMENT = "“{name}” is already in this workspace as “{existing}”."
PASSAGE_BATCH_SIZE = 500


def upload_limit_bytes() -> int:
    """The most one upload may carry, one file or several together (the `max_upload_mb` setting)."""
    return setting_get("max_upload_mb") * MB


def document_ingest(
    *, workspace: Workspace, uploaded_file: File, filename: str, user=None, request=None
) -> WorkspaceDocument:
    """Check, store and index one file; return the new document.

    Raises DocumentRefused (with a message for the uploader) for a file that is too
    large, empty, of an unknown or misnamed type, unreadable, or already in the
    workspace; PermissionDenied when `user` may not upload. `user=None` is the
    system (the import command). On any failure the stored file is removed again.
    """
    if not permissions.may(user, permissions.UPLOAD, workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.UPLOAD])
    name = filename_for_display(filename)
    limit = upload_limit_bytes()
    if uploaded_file.size is None or uploaded_file.size > limit:
        raise DocumentRefused(FILE_TOO_LARGE.format(name=name, limit=limit // MB), code="too_large")
    if uploaded_file.size == 0:
        raise DocumentRefused(EMPTY_FILE.format(name=name), code="empty")

    extracted = extract_text(stream=uploaded_file, name=name)
    sha256 = _sha256(uploaded_file)
    _refuse_duplicate(workspace=workspace, sha256=sha256, name=name)
    passages = split_passages(
        extracted.text,
        size_words=setting_get("passage_size_words"),
        overlap_words=setting_get("passage_overlap_words"),
    )
    doc_id = uuid.uuid4()
    metadata = {
        "title": extracted.title,
        "content_type": extracted.kind.content_type,
        "size": uploaded_file.size,
        "sha256": sha256,
        "word_count": len(extracted.text.split()),
        "page_count": extracted.page_count,
        "passage_count": len(passages),
        "uploaded_by": user.username if user is not None else None,
    }

    docpath = stored_file_save(
        workspace_id=workspace.pk, doc_id=doc_id, extension=extracted.kind.extension, content=uploaded_file
    )
    try:
        with transaction.atomic():
            document = WorkspaceDocument.objects.create(
                doc_id=doc_id, workspace=workspace, filename=name, docpath=docpath, metadata=metadata
            )
            DocumentPassage.objects.bulk_create(
                [DocumentPassage(document=document, position=number, text=text)
                 for number, text in enumerate(passages, start=1)],
                batch_size=PASSAGE_BATCH_SIZE,
            )
            audit_record(
                AuditAction.UPLOAD, request=request, user=user, username=getattr(user, "username", "") or "system",
                detail=f"{name} to {workspace.slug} ({len(passages)} passages)",
            )
    except IntegrityError:
        stored_file_delete(docpath)
        # Lost a race with an identical upload: the unique (workspace, sha256) index said no.
        _refuse_duplicate(workspace=workspace, sha256=sha256, name=name)
        raise
    except BaseException:
        stored_file_delete(docpath)
        raise
    passages_embed(document=document)
    return document


@transaction.atomic
def document_delete(*, document: WorkspaceDocument, user=None, request=None) -> None:
    """Delete the document, its passages and, once the deletion is committed, its stored file.

    `user` is who asked (None: the system); PermissionDenied when they may not."""
    if not permissions.may(user, permissions.DELETE_DOCUMENT, document.workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])
    docpath = document.docpath
    audit_record(
        AuditAction.DOCUMENT_DELETED, request=request, user=user, username=getattr(user, "username", "") or "system",
        detail=f"{document.filename} from workspace {document.workspace_id}",
    )
    document.delete()
    if docpath:
        transaction.on_commit(lambda: stored_file_delete(docpath))


def _refuse_duplicate(*, workspace, sha256, name):
    # The same expression as the unique index (metadata->>'sha256'), so PostgreSQL looks it up by index.
    same_checksum = Exact(KT("metadata__sha256"), Value(sha256, output_field=CharField()))
    existing = workspace.documents.filter(same_checksum).order_by().values_list("filename", flat=True).first()
    if existing is not None:
        raise DocumentRefused(DUPLICATE_DOCUMENT.format(name=name, existing=existing), code="duplicate")


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    return digest.hexdigest()
