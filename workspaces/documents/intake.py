"""A file taken in: checked (size, type by name, emptiness, duplicates), stored under a name Docent
makes up, and recorded as a queued document, with no row left without its file nor a file without
its row. Shared by the upload service (`services.document_ingest`) and ingestion, which takes in an
e-mail's attachments as documents of their own (`attachments_take_in`).

The caller passes `queue` (`ingestion.document_requeue`): it runs in the same transaction as the
row's insert, so a document is never recorded without its task.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.fields.json import KT
from django.db.models.lookups import Exact
from django.utils.translation import gettext, gettext_noop

from accounts.audit import audit_record
from accounts.models import AuditAction
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.documents.extraction import DocumentRefused, filename_for_display, kind_for_filename
from workspaces.documents.models import DocumentStatus, WorkspaceDocument
from workspaces.documents.storage import stored_file_delete, stored_file_save

logger = logging.getLogger(__name__)

MB = 1024 * 1024
FILE_TOO_LARGE = gettext_noop("“{name}” is larger than the {limit} MB an upload may be.")
EMPTY_FILE = gettext_noop("“{name}” is empty.")
DUPLICATE_DOCUMENT = gettext_noop("“{name}” is already in this workspace as “{existing}”.")


def upload_limit_bytes() -> int:
    """The most one upload may carry, one file or several together (the `max_upload_mb` setting)."""
    return setting_get("max_upload_mb") * MB


def document_take_in(*, workspace, uploaded_file: File, filename: str, queue: Callable, user=None, request=None,
                     attached_to: WorkspaceDocument | None = None, origin: dict | None = None) -> WorkspaceDocument:
    """Check and store one file, record it as a queued document and `queue` it; return the document.
    `origin` is where a source found the file (kept in the metadata, shown with the document).
    Raises DocumentRefused; on any failure the stored file is removed again. Who may is the caller's
    question."""
    name = filename_for_display(filename)
    kind = file_check(uploaded_file, name)
    sha256 = checksum(uploaded_file)
    duplicate_refuse(workspace=workspace, sha256=sha256, name=name)
    doc_id = uuid.uuid4()
    metadata = {
        "title": PurePosixPath(name).stem[:200] or name,
        "content_type": kind.content_type,
        "size": uploaded_file.size,
        "sha256": sha256,
        "uploaded_by": user.username if user is not None else None,
        **({"origin": origin} if origin else {}),
    }
    if attached_to is not None:
        metadata["attached_to"] = {"doc_id": str(attached_to.doc_id), "filename": attached_to.filename}
    docpath = stored_file_save(
        workspace_id=workspace.pk, doc_id=doc_id, extension=kind.extension, content=uploaded_file
    )
    try:
        with transaction.atomic():
            document = WorkspaceDocument.objects.create(
                doc_id=doc_id, workspace=workspace, filename=name, docpath=docpath, metadata=metadata,
                uploaded_by=user, status=DocumentStatus.QUEUED, attempts=0,
            )
            audit_record(
                AuditAction.UPLOAD, request=request, user=user, username=getattr(user, "username", "") or "system",
                detail=f"{name} to {workspace.slug}", workspace=workspace,
            )
            # The task row commits with the document row (database task backend).
            queue(document_id=document.pk)
    except IntegrityError:
        stored_file_delete(docpath)
        # Lost a race with an identical upload: the unique (workspace, sha256) index said no.
        duplicate_refuse(workspace=workspace, sha256=sha256, name=name)
        raise
    except BaseException:
        stored_file_delete(docpath)
        raise
    document.refresh_from_db()
    return document


def attachments_take_in(*, document: WorkspaceDocument, attachments, queue: Callable) -> int:
    """The attachments of `document` (an e-mail) as documents of its workspace, uploaded by its uploader,
    if they still may upload there. One refused (a duplicate, too large, empty) is skipped, not the
    others; reading the e-mail again takes in nothing twice. Returns how many were taken in."""
    user = document.uploaded_by
    if not attachments or not permissions.may(user, permissions.UPLOAD, document.workspace):
        return 0
    taken = 0
    for filename, data in attachments:
        try:
            document_take_in(workspace=document.workspace, uploaded_file=ContentFile(data, name=filename),
                             filename=filename, queue=queue, user=user, attached_to=document)
        except DocumentRefused as refusal:
            logger.info("Attachment %s of document %s not taken in: %s", filename, document.pk, refusal.message)
            continue
        taken += 1
    return taken


def file_check(uploaded_file, name: str):
    """Size within the upload limit, not empty, a type Docent reads: the file's kind, or DocumentRefused."""
    limit = upload_limit_bytes()
    if uploaded_file.size is None or uploaded_file.size > limit:
        raise DocumentRefused(gettext(FILE_TOO_LARGE).format(name=name, limit=limit // MB), code="too_large")
    if uploaded_file.size == 0:
        raise DocumentRefused(gettext(EMPTY_FILE).format(name=name), code="empty")
    return kind_for_filename(name)


def duplicate_refuse(*, workspace, sha256, name):
    # The same expression as the unique index (metadata->>'sha256'), so PostgreSQL looks it up by index.
    same_checksum = Exact(KT("metadata__sha256"), Value(sha256, output_field=CharField()))
    existing = workspace.documents.filter(same_checksum).order_by().values_list("filename", flat=True).first()
    if existing is not None:
        raise DocumentRefused(gettext(DUPLICATE_DOCUMENT).format(name=name, existing=existing), code="duplicate")


def checksum(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    return digest.hexdigest()
