"""The background half of an upload: a stored file becomes ready, searchable passages.

The document row is the job's record (status, reason, progress, attempts, heartbeat);
the task engine (django-tasks, see docs/production.md "Background work") only carries
`(document id, attempt)`. A run:

1. claims the row: only the run holding the row's current attempt number goes on,
   so a task delivered twice, or a run the recovery sweep has given up on, does nothing;
2. reads the file through `extract_document` (the one door to extraction: a bounded
   child process, OCR in the workspace's languages) into blocks, and splits them into passages;
3. swaps the new passages in with one transaction (delete, insert, status ready):
   until then a re-indexed document keeps serving its old passages, and a run
   killed half-way leaves nothing behind; full-text indexes and BM25 statistics
   follow the rows;
4. embeds the new passages when an embedding provider is set (`passages_embed`),
   while the heartbeat keeps beating, and takes in an e-mail's attachments as documents.

Refusals (not a PDF, encrypted, no text…) fail the document with their message, and so
does any other error the file causes, at once (`documents.failures` tells them apart);
only an outage (database or storage unreachable) is retried with backoff up to
INGEST_MAX_ATTEMPTS; a run past INGEST_TIME_LIMIT_SECONDS
fails; a run that stops beating (killed worker) is re-queued or failed by
`jobs.documents_recover`.

Queueing (`document_requeue`, here beside the task it queues): every (re)queue bumps the
row's attempt number and enqueues a task carrying it, in one transaction: with the database
task backend (the default) the task row commits with the document row, so a document is
never queued without a task. Older tasks for the same document find a different number and
do nothing.

Fair turns between uploaders: `documents.fairness.fair_priority`.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task
from django_tasks.base import DEFAULT_TASK_PRIORITY

from settings_app.services import setting_get
from workspaces.documents.extraction import DocumentRefused, ExtractedText
from workspaces.documents.failures import CONTENT, CONTENT_REFUSED_BY_DATABASE, OUTAGE, failure_kind
from workspaces.documents.fairness import fair_priority
from workspaces.documents.heartbeat import heartbeat_keep
from workspaces.documents.intake import attachments_take_in
from workspaces.documents.models import ACTIVE_STATUSES, DocumentPassage, DocumentStatus, WorkspaceDocument
from workspaces.documents.passages import Passage, split_passages
from workspaces.documents.read_ahead import next_document_read_ahead, reading_key
from workspaces.documents.sandbox import extract_bounded
from workspaces.documents.storage import stored_file_exists, stored_file_open
from workspaces.retrieval.services import passages_embed

logger = logging.getLogger(__name__)

# Passages per INSERT. On PostgreSQL each statement's trigger upserts the statistics of every word its
# rows hold, so fewer, larger statements upsert each word fewer times (issue 30: 10,000 inserts ran at
# 0.56 of trigger-less inserts in batches of 500, 0.83 in batches of 2,000).
PASSAGE_BATCH_SIZE = 2000
TIME_LIMIT_EXCEEDED = "Processing took longer than the {seconds} s a document may take."
GAVE_UP = "Processing failed {attempts} times because a service was unavailable ({error}). Try Retry later."
INTERNAL_ERROR = gettext_noop(
    "Docent could not process this file because of an internal error. Try Retry, or ask an admin."
)
MISSING_FILE = gettext_noop("The stored file of this document is missing.")
RETRYING = "A service was unavailable ({error}); trying again in {seconds} s."
REINDEX_FAILED = "Re-indexing failed, the previous passages stay in use: {reason}"


class Superseded(Exception):
    """The row no longer carries this run's attempt number: another run owns it now."""


class TimeLimitExceeded(Exception):
    pass


@dataclass
class Run:
    document_id: int
    attempt: int
    reindexing: bool
    deadline: float


def extract_document(*, stream, name: str, ocr_languages: str = "", key=None) -> ExtractedText:
    """The one door from ingestion to extraction: a child process with a memory cap and a
    time limit (documents.sandbox), so a hostile file costs only that process. `key`: the
    document's `reading_key`, whose reading may have started ahead (`next_document_read_ahead`)."""
    return extract_bounded(stream=stream, name=name, ocr_languages=ocr_languages, key=key)


@task()
def ingest_document(document_id: int, attempt: int) -> str:
    """The task: process document `document_id` if its row still carries `attempt`."""
    return document_process(document_id=document_id, attempt=attempt)


def document_process(*, document_id: int, attempt: int) -> str:
    """Run ingestion for one document; returns what happened (ready, failed, retrying, skipped, superseded)."""
    run = _claim(document_id=document_id, attempt=attempt)
    if run is None:
        return "skipped"
    stop_beating = heartbeat_keep(document_id=run.document_id, attempt=run.attempt, deadline=run.deadline)
    try:
        _process(run)
    except Superseded:
        return "superseded"
    except DocumentRefused as refusal:
        _fail(run, refusal.message)
        return "failed"
    except TimeLimitExceeded:
        _fail(run, TIME_LIMIT_EXCEEDED.format(seconds=settings.INGEST_TIME_LIMIT_SECONDS))
        return "failed"
    except Exception as error:
        kind = failure_kind(error)
        if kind == OUTAGE:
            return _retry_or_fail(run, error)
        logger.exception("Ingestion of document %s failed (%s)", document_id, kind)
        _fail(run, CONTENT_REFUSED_BY_DATABASE if kind == CONTENT else INTERNAL_ERROR)
        return "failed"
    finally:
        stop_beating()
    return "ready"


def _claim(*, document_id: int, attempt: int) -> Run | None:
    with transaction.atomic():
        document = WorkspaceDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.attempts != attempt or document.heartbeat_at is not None:
            return None
        if not (document.status == DocumentStatus.QUEUED or document.reindexing):
            return None
        document.heartbeat_at = timezone.now()
        if not document.reindexing:
            document.status = DocumentStatus.EXTRACTING
        document.progress_done = document.progress_total = 0
        document.save(update_fields=("heartbeat_at", "status", "progress_done", "progress_total"))
    return Run(
        document_id=document_id, attempt=attempt, reindexing=document.reindexing,
        deadline=time.monotonic() + settings.INGEST_TIME_LIMIT_SECONDS,
    )


def _beat(run: Run, **fields) -> None:
    """Record progress and that the run is alive; stop a run that is over time or superseded."""
    if time.monotonic() > run.deadline:
        raise TimeLimitExceeded
    if run.reindexing:
        fields.pop("status", None)
    updated = WorkspaceDocument.objects.filter(pk=run.document_id, attempts=run.attempt).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not updated:
        raise Superseded


def _process(run: Run) -> None:
    document = WorkspaceDocument.objects.select_related("workspace", "uploaded_by").get(pk=run.document_id)
    if not stored_file_exists(document.docpath):
        raise DocumentRefused(MISSING_FILE, code="missing")
    with stored_file_open(document.docpath) as stream:
        extracted = extract_document(
            stream=stream, name=document.filename, ocr_languages=document.workspace.ocr_languages,
            key=reading_key(document),
        )
    next_document_read_ahead(ingest_document)  # read while this one is written
    passages = split_passages(
        extracted.blocks,
        size_words=setting_get("passage_size_words"),
        overlap_words=setting_get("passage_overlap_words"),
    )
    _beat(run, status=DocumentStatus.INDEXING, progress_done=0, progress_total=len(passages))
    _swap_in(run, extracted=extracted, passages=passages)
    # Semantic vectors for the passages now stored (a failing embedding provider is logged, and the
    # document stays findable by its words; `retrieval_reembed` fills the gap later).
    passages_embed(document=document)
    # An e-mail's attachments become documents of their own (taken in once: a second run finds duplicates).
    attachments_take_in(document=document, attachments=extracted.attachments, queue=document_requeue)


def _passage_rows(document, passages: list[Passage]) -> list[DocumentPassage]:
    return [
        DocumentPassage(
            document=document, position=number, text=passage.text, heading_path=passage.heading_path_text,
            page_start=passage.page_start, page_end=passage.page_end, word_count=passage.word_count,
            blocks=[block.as_json() for block in passage.blocks],
        )
        for number, passage in enumerate(passages, start=1)
    ]


def _swap_in(run: Run, *, extracted: ExtractedText, passages: list[Passage]) -> None:
    """Replace the document's passages with the new set and mark it ready, all in one transaction.

    The row is not locked while the passages are written (its heartbeat keeps beating);
    the closing update is conditional on the attempt number, and rolls everything back
    when another run has taken the document meanwhile."""
    if time.monotonic() > run.deadline:
        raise TimeLimitExceeded
    with transaction.atomic():
        document = WorkspaceDocument.objects.filter(pk=run.document_id, attempts=run.attempt).first()
        if document is None:
            raise Superseded
        document.passages.all().delete()
        DocumentPassage.objects.bulk_create(_passage_rows(document, passages), batch_size=PASSAGE_BATCH_SIZE)
        metadata = {
            **document.metadata,
            "title": extracted.title,
            "content_type": extracted.kind.content_type,
            "word_count": len(extracted.text.split()),
            "page_count": extracted.page_count,
            "passage_count": len(passages),
        }
        swapped = WorkspaceDocument.objects.filter(pk=run.document_id, attempts=run.attempt).update(
            metadata=metadata, status=DocumentStatus.READY, status_reason="", reindexing=False,
            progress_done=len(passages), progress_total=len(passages), heartbeat_at=None,
            last_updated_at=timezone.now(),
        )
        if not swapped:
            raise Superseded


def _fail(run: Run, reason: str) -> None:
    """Mark the run's document failed with `reason`; a failed re-index keeps the document ready."""
    fields = {"heartbeat_at": None, "reindexing": False}
    if run.reindexing:
        fields["status_reason"] = REINDEX_FAILED.format(reason=reason)
    else:
        fields.update(status=DocumentStatus.FAILED, status_reason=reason)
    WorkspaceDocument.objects.filter(pk=run.document_id, attempts=run.attempt).update(**fields)


def _retry_or_fail(run: Run, error: Exception) -> str:
    summary = f"{type(error).__name__}: {error}"[:200]
    logger.warning("Ingestion of document %s hit a transient error: %s", run.document_id, summary)
    try:
        if run.attempt >= settings.INGEST_MAX_ATTEMPTS:
            _fail(run, GAVE_UP.format(attempts=run.attempt, error=summary))
            return "failed"
        delay = settings.INGEST_RETRY_BACKOFF_SECONDS * 2 ** (run.attempt - 1)
        document_requeue(
            document_id=run.document_id, attempt=run.attempt, delay_seconds=delay,
            reason=RETRYING.format(seconds=round(delay), error=summary),
        )
    except DatabaseError:
        # The database itself is away: the row keeps its heartbeat, and recovery re-queues it.
        logger.exception("Could not record the failure of document %s", run.document_id)
        raise
    return "retrying"


def task_enqueue(*, document_id: int, attempt: int, delay_seconds: float = 0,
                 priority: int = DEFAULT_TASK_PRIORITY) -> None:
    work = ingest_document
    if delay_seconds and work.get_backend().supports_defer:
        work = work.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    if work.get_backend().supports_priority:
        work = work.using(priority=priority)
    work.enqueue(document_id, attempt)


@transaction.atomic
def document_requeue(*, document_id: int, attempt: int | None = None, delay_seconds: float = 0,
                     reindex: bool = False, silent_since=None, reason: str = "") -> bool:
    """Queue a (new) run for the document. With `attempt`, only if the row still carries it
    (a run giving its place to a retry); with `silent_since`, only if its run is still
    unfinished and has not beaten since. `reason` replaces the row's reason (empty: cleared).
    Returns False when the row no longer qualifies."""
    rows = WorkspaceDocument.objects.filter(pk=document_id)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    if silent_since is not None:
        rows = rows.filter(Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True), heartbeat_at__lt=silent_since)
    fields = {
        "attempts": F("attempts") + 1, "heartbeat_at": None, "progress_done": 0, "progress_total": 0,
        "status_reason": reason,
    }
    if reindex:
        fields["reindexing"] = True
    document = rows.select_for_update().only(
        "pk", "attempts", "reindexing", "status", "uploaded_by", "workspace"
    ).first()
    if document is None:
        return False
    if not (reindex or document.reindexing):
        fields["status"] = DocumentStatus.QUEUED
    rows.update(**fields)
    task_enqueue(
        document_id=document_id, attempt=document.attempts + 1, delay_seconds=delay_seconds,
        priority=fair_priority(document),
    )
    return True
