"""Putting documents on the ingestion queue, and taking back the ones a dead worker held.

Every (re)queue bumps the row's attempt number and enqueues a task carrying it, in
one transaction: with the database task backend (the default) the task row commits
with the document row, so a document is never queued without a task. Older tasks
for the same document find a different number and do nothing.

Fair turns: workers take the task of highest priority first, then the oldest. A task's
priority is minus the number of other documents its uploader already has waiting or in
processing (the import command's documents count per workspace), so each uploader's
first document goes before anyone's second: a batch of slow files, or a re-index of a
whole workspace, holds up a colleague's upload by at most the one document being read.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MIN_PRIORITY

from workspaces.documents.models import ACTIVE_STATUSES, DocumentStatus, WorkspaceDocument

logger = logging.getLogger(__name__)

WORKER_LOST = "Processing stopped {attempts} times without finishing (the worker was lost). Try Retry."


def task_enqueue(*, document_id: int, attempt: int, delay_seconds: float = 0,
                 priority: int = DEFAULT_TASK_PRIORITY) -> None:
    from workspaces.documents.ingestion import ingest_document

    work = ingest_document
    if delay_seconds and work.get_backend().supports_defer:
        work = work.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    if work.get_backend().supports_priority:
        work = work.using(priority=priority)
    work.enqueue(document_id, attempt)


def fair_priority(document: WorkspaceDocument) -> int:
    """Minus the number of other unfinished documents of the same uploader (see the module docstring)."""
    unfinished = WorkspaceDocument.objects.filter(Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True))
    if document.uploaded_by_id is None:
        unfinished = unfinished.filter(uploaded_by__isnull=True, workspace_id=document.workspace_id)
    else:
        unfinished = unfinished.filter(uploaded_by_id=document.uploaded_by_id)
    waiting = unfinished.exclude(pk=document.pk)[: DEFAULT_TASK_PRIORITY - TASK_MIN_PRIORITY].count()
    return DEFAULT_TASK_PRIORITY - waiting


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


def documents_recover(*, now=None) -> dict:
    """Re-queue (or, after INGEST_MAX_ATTEMPTS, fail) documents whose run stopped beating.

    Run by every ingestion worker every INGEST_SWEEP_SECONDS; safe to run anywhere, any
    number of times at once (each document is taken back by a conditional update)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.INGEST_STALE_SECONDS)
    stale = WorkspaceDocument.objects.filter(
        Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True), heartbeat_at__lt=cutoff
    ).values_list("pk", "attempts", "reindexing")
    outcome = {"requeued": 0, "failed": 0}
    for document_id, attempts, reindexing in stale:
        if attempts >= settings.INGEST_MAX_ATTEMPTS:
            fields = {"heartbeat_at": None, "reindexing": False}
            if not reindexing:
                fields.update(status=DocumentStatus.FAILED, status_reason=WORKER_LOST.format(attempts=attempts))
            else:
                fields["status_reason"] = "Re-indexing stopped without finishing; the previous passages stay in use."
            taken = WorkspaceDocument.objects.filter(
                Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True), pk=document_id, attempts=attempts,
                heartbeat_at__lt=cutoff,
            )
            outcome["failed"] += taken.update(**fields)
        elif document_requeue(document_id=document_id, attempt=attempts, silent_since=cutoff):
            outcome["requeued"] += 1
    if any(outcome.values()):
        logger.warning("Recovered documents from lost workers: %s", outcome)
    return outcome


def documents_requeue_unfinished() -> int:
    """Queue again every document that is queued or being processed (after a restore, whose
    archive holds the rows but not the task queue). Returns how many."""
    unfinished = WorkspaceDocument.objects.filter(Q(status__in=ACTIVE_STATUSES) | Q(reindexing=True))
    return sum(document_requeue(document_id=pk) for pk in unfinished.values_list("pk", flat=True))
