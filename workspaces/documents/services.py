"""Writes to workspace documents: ingest (check, store, queue), retry, re-index and delete.

A row without its file, or a file without its row, is never left behind.
Every rule of an upload (who may, size, type, duplicates) is enforced here, so the
upload page, the admin and the import command refuse the same things.
"""


from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record
from accounts.base import DocentError
from accounts.models import AuditAction
from workspaces import permissions
from workspaces.documents.extraction import DocumentRefused
from workspaces.documents.ingestion import document_requeue
from workspaces.documents.intake import (  # noqa: F401 - the upload rules' messages, named here too
    DUPLICATE_DOCUMENT,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    MB,
    checksum,
    document_take_in,
    duplicate_refuse,
    file_check,
    upload_limit_bytes,
)
from workspaces.documents.models import DocumentStatus, WorkspaceDocument
from workspaces.documents.storage import stored_file_delete, stored_file_save
from workspaces.models import Workspace

MAX_FILES_PER_UPLOAD = 20
# What a multipart body may carry beyond its files (boundaries, headers, the CSRF token).
MULTIPART_OVERHEAD_BYTES = 64 * 1024
NO_FILES = gettext_noop("Choose at least one file to upload.")
TOO_MANY_FILES = f"Upload at most {MAX_FILES_PER_UPLOAD} files at once."
BATCH_TOO_LARGE = gettext_noop(
    "These files add up to {size}; one upload may carry at most {limit} MB. Upload fewer at a time."
)
BODY_TOO_LARGE = gettext_noop("This upload is larger than the {limit} MB an upload may be.")
NOT_FAILED = gettext_noop("“{name}” has not failed: there is nothing to retry.")


class DocumentNotFailed(DocentError):
    """Retry asked for a document that is queued, processing or ready."""


def upload_body_check(*, declared_bytes: int) -> None:
    """Refuse an upload whose declared size is over the limit before its body is read (the
    upload page and the API alike)."""
    limit = upload_limit_bytes()
    if declared_bytes > limit + MULTIPART_OVERHEAD_BYTES:
        raise DocumentRefused(gettext(BODY_TOO_LARGE).format(limit=limit // MB), code="too_large")


def upload_batch_check(*, files: list) -> None:
    """The files of one upload: at least one, at most MAX_FILES_PER_UPLOAD, together within the limit."""
    if not files:
        raise DocumentRefused(NO_FILES)
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise DocumentRefused(
            gettext("Upload at most {count} files at once.").format(count=MAX_FILES_PER_UPLOAD)
        )
    limit, total = upload_limit_bytes(), sum(uploaded.size for uploaded in files)
    if len(files) > 1 and total > limit:
        raise DocumentRefused(
            gettext(BATCH_TOO_LARGE).format(size=filesizeformat(total), limit=limit // MB), code="too_large"
        )


def document_ingest(
    *, workspace: Workspace, uploaded_file: File, filename: str, user=None, request=None, origin: dict | None = None
) -> WorkspaceDocument:
    """Check and store one file and queue it for processing; return the new (queued) document.

    What can be decided in the request is: who may upload, size, a type Docent reads
    (by name), emptiness and duplicates (by checksum, before storing): `intake.document_take_in`.
    Whether the content really is what the name says is found by the ingestion task, which marks
    the document failed with the reason. Raises DocumentRefused (with a message for the
    uploader) or PermissionDenied; `user=None` is the system (the import command, a source's
    sync). `origin` is where a source found the file (kept in the metadata, shown with the document).
    On any failure the stored file is removed again.
    """
    if not permissions.may(user, permissions.UPLOAD, workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.UPLOAD])
    return document_take_in(
        workspace=workspace, uploaded_file=uploaded_file, filename=filename, queue=document_requeue,
        user=user, request=request, origin=origin,
    )


def document_replace(*, document: WorkspaceDocument, uploaded_file: File, user=None) -> WorkspaceDocument:
    """A new version of a document's file (a source's file or page that changed): stored beside
    the old one, the row pointed at it and queued again, the old file deleted once committed.
    Its passages are replaced when the new file has been read (it fails if that file is refused).
    The same checks as an upload; unchanged content changes nothing."""
    if not permissions.may(user, permissions.UPLOAD, document.workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.UPLOAD])
    kind = file_check(uploaded_file, document.filename)
    sha256 = checksum(uploaded_file)
    if sha256 == (document.metadata or {}).get("sha256"):
        return document
    duplicate_refuse(workspace=document.workspace, sha256=sha256, name=document.filename)
    old_docpath = document.docpath
    docpath = stored_file_save(
        workspace_id=document.workspace_id, doc_id=document.doc_id, extension=kind.extension, content=uploaded_file
    )
    metadata = {**document.metadata, "sha256": sha256, "size": uploaded_file.size, "content_type": kind.content_type}
    try:
        with transaction.atomic():
            WorkspaceDocument.objects.filter(pk=document.pk).update(docpath=docpath, metadata=metadata)
            document_requeue(document_id=document.pk)
            transaction.on_commit(lambda: stored_file_delete(old_docpath))
    except IntegrityError:
        stored_file_delete(docpath)
        duplicate_refuse(workspace=document.workspace, sha256=sha256, name=document.filename)
        raise
    except BaseException:
        stored_file_delete(docpath)
        raise
    document.refresh_from_db()
    return document


def document_retry(*, document: WorkspaceDocument, user=None) -> None:
    """Queue a failed document again (Retry). Who may upload to its workspace may retry."""
    if not permissions.may(user, permissions.UPLOAD, document.workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.UPLOAD])
    if document.status != DocumentStatus.FAILED:
        raise DocumentNotFailed(gettext(NOT_FAILED).format(name=document.filename), code="conflict")
    document_requeue(document_id=document.pk)


def documents_reindex(*, documents, user=None) -> int:
    """Re-index ready documents in the background (after passage size or model changes).

    Each keeps serving its current passages until its new set is swapped in; documents
    not ready (queued, processing, failed) are left alone. Returns how many were queued."""
    queued = 0
    documents = documents.select_related(None).select_related("workspace")
    for document in documents.only("pk", "status", "reindexing", "workspace"):
        if not permissions.may(user, permissions.DELETE_DOCUMENT, document.workspace):
            raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])
        if document.status == DocumentStatus.READY and not document.reindexing:
            queued += document_requeue(document_id=document.pk, reindex=True)
    return queued


def workspace_reindex(*, workspace, user, request=None) -> int:
    """An owner's Re-index button: every ready document of `workspace` queued again (each keeps
    answering from its current passages until the new ones are in), audited. Returns how many."""
    if not permissions.may(user, permissions.DELETE_DOCUMENT, workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])
    # Asked once for the whole workspace above; the queueing itself runs as the system.
    queued = documents_reindex(documents=workspace.documents.filter(status=DocumentStatus.READY), user=None)
    audit_record(
        AuditAction.DOCUMENTS_REINDEXED, request=request, user=user, username=getattr(user, "username", "") or "system",
        detail=f"{workspace.name}: {queued} document(s) queued", workspace=workspace,
    )
    return queued


@transaction.atomic
def document_delete(*, document: WorkspaceDocument, user=None, request=None) -> None:
    """Delete the document, its passages and, once the deletion is committed, its stored file.

    `user` is who asked (None: the system); PermissionDenied when they may not (an editor
    deletes only what they uploaded)."""
    if not permissions.may_delete_document(user, document):
        raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])
    docpath = document.docpath
    audit_record(
        AuditAction.DOCUMENT_DELETED, request=request, user=user, username=getattr(user, "username", "") or "system",
        detail=f"{document.filename} from workspace {document.workspace_id}", workspace=document.workspace,
    )
    document.delete()
    if docpath:
        transaction.on_commit(lambda: stored_file_delete(docpath))
