"""Writes to workspace documents: ingest (store, extract, split) and delete.

Files live in Django's default storage under names Docent makes up
(`documents/<workspace id>/<docId>.<ext>`), never under a name from the upload.
A row without its file, or a file without its row, is never left behind.
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.fields.json import KT
from django.db.models.lookups import Exact
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import STAFF_ROLES, AuditAction
from settings_app.services import setting_get
from workspaces import answering, llm
from workspaces.extraction import DocumentRefused, extract_text, filename_for_display, split_passages
from workspaces.models import DocumentPassage, Workspace, WorkspaceChat, WorkspaceDocument

logger = logging.getLogger(__name__)

MB = 1024 * 1024
FILE_TOO_LARGE = "“{name}” is larger than the {limit} MB an upload may be."
EMPTY_FILE = "“{name}” is empty."
DUPLICATE_DOCUMENT = "“{name}” is already in this workspace as “{existing}”."
PASSAGE_BATCH_SIZE = 500

__all__ = [
    "DUPLICATE_DOCUMENT", "EMPTY_FILE", "FILE_TOO_LARGE", "DocumentRefused", "document_delete",
    "document_delete_allowed", "document_ingest", "document_upload_allowed", "upload_limit_bytes",
]


def document_upload_allowed(*, user) -> bool:
    """Admins and managers upload; members only while the `members_can_upload` setting is on."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role in STAFF_ROLES or setting_get("members_can_upload")


def document_delete_allowed(*, user) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_ROLES


def upload_limit_bytes() -> int:
    """The most one upload may carry, one file or several together (the `max_upload_mb` setting)."""
    return setting_get("max_upload_mb") * MB


def document_ingest(*, workspace: Workspace, uploaded_file: File, filename: str, user=None) -> WorkspaceDocument:
    """Check, store and index one file; return the new document.

    Raises DocumentRefused (with a message for the uploader) for a file that is too
    large, empty, of an unknown or misnamed type, unreadable, or already in the
    workspace; PermissionDenied when `user` may not upload. `user=None` is the
    system (the import command). On any failure the stored file is removed again.
    """
    if user is not None and not document_upload_allowed(user=user):
        raise PermissionDenied
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

    uploaded_file.seek(0)
    docpath = default_storage.save(f"documents/{workspace.pk}/{doc_id}.{extracted.kind.extension}", uploaded_file)
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
                AuditAction.UPLOAD, user=user, username=getattr(user, "username", "") or "system",
                detail=f"{name} to {workspace.slug} ({len(passages)} passages)",
            )
    except IntegrityError:
        _delete_stored_file(docpath)
        # Lost a race with an identical upload: the unique (workspace, sha256) index said no.
        _refuse_duplicate(workspace=workspace, sha256=sha256, name=name)
        raise
    except BaseException:
        _delete_stored_file(docpath)
        raise
    return document


@transaction.atomic
def document_delete(*, document: WorkspaceDocument, user=None) -> None:
    """Delete the document, its passages and, once the deletion is committed, its stored file.

    `user` is who asked, for the audit trail (None: the system).
    """
    docpath = document.docpath
    audit_record(
        AuditAction.DOCUMENT_DELETED, user=user, username=getattr(user, "username", "") or "system",
        detail=f"{document.filename} from workspace {document.workspace_id}",
    )
    document.delete()
    if docpath:
        transaction.on_commit(lambda: _delete_stored_file(docpath))


@transaction.atomic
def workspace_delete(*, workspace: Workspace) -> None:
    """Delete the workspace with its members, documents, passages and chats; the stored
    files of its documents go once the deletion is committed."""
    docpaths = [path for path in workspace.documents.values_list("docpath", flat=True) if path]
    workspace.delete()
    transaction.on_commit(lambda: [_delete_stored_file(docpath) for docpath in docpaths])


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


def _delete_stored_file(docpath: str) -> None:
    try:
        default_storage.delete(docpath)
    except OSError:
        logger.exception("Could not delete stored document file %s", docpath)


# CHATS
# ------------------------------------------------------------------------------
PROMPT_EMPTY = "Type a question first."
PROMPT_TOO_LONG = "Questions can be at most %(limit)d characters; this one has %(length)d."
RATE_LIMITED = "You are asking faster than Docent allows (%(limit)d questions a minute). Wait a moment and ask again."
DAILY_LIMIT_REACHED = "You have asked %(limit)d questions today, the daily limit. Ask again tomorrow."


class ChatRefused(Exception):
    """The question was not answered; `message` says why and nothing was stored."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def chat_history(*, workspace: Workspace, user) -> list[tuple[str, str]]:
    """The asker's last `history_length` included chats as (prompt, answer), oldest first."""
    if workspace.history_length == 0:
        return []
    recent = WorkspaceChat.objects.history_for(user=user, workspace=workspace).order_by("-id")
    rows = list(recent.values_list("prompt", "response")[: workspace.history_length])
    return [(prompt, (response or {}).get("text", "")) for prompt, response in reversed(rows)]


def _check_limits(*, user, prompt: str) -> None:
    limit = setting_get("max_prompt_chars")
    if not prompt:
        raise ChatRefused(PROMPT_EMPTY)
    if len(prompt) > limit:
        raise ChatRefused(PROMPT_TOO_LONG % {"limit": limit, "length": len(prompt)})
    # Counted in the database, so the limits hold across every worker and host.
    now = timezone.now()
    per_minute = settings.CHAT_RATE_LIMIT_PER_MINUTE
    asked_last_minute = WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(minutes=1))
    if per_minute and asked_last_minute.count() >= per_minute:
        raise ChatRefused(RATE_LIMITED % {"limit": per_minute}, status=429)
    daily = setting_get("daily_message_limit")
    if daily and WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(days=1)).count() >= daily:
        raise ChatRefused(DAILY_LIMIT_REACHED % {"limit": daily}, status=429)


def chat_ask(*, workspace: Workspace, user, prompt: str) -> WorkspaceChat:
    """Answer `prompt` and store it as one `workspace_chats` row; on any refusal or
    provider failure raise ChatRefused and store nothing."""
    prompt = (prompt or "").strip()
    _check_limits(user=user, prompt=prompt)
    try:
        result = answering.answer(
            workspace=workspace, prompt=prompt, history=chat_history(workspace=workspace, user=user)
        )
    except llm.LLMError as error:
        raise ChatRefused(error.message, status=200) from None
    with transaction.atomic():
        # Answering took a while: count again with this user's row locked, so questions
        # sent at the same moment cannot all slip under the limits.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        _check_limits(user=user, prompt=prompt)
        return WorkspaceChat.objects.create(
            workspace=workspace, user=user, prompt=prompt, response=result.as_response(), include=True
        )


def chat_clear(*, workspace: Workspace, user) -> int:
    """Hide the user's chats in `workspace` from their page and from answering context;
    the admin chat log keeps them."""
    return WorkspaceChat.objects.history_for(user=user, workspace=workspace).update(include=False)
