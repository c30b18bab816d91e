"""Taking back the documents a dead worker held (`documents_recover`, swept by every worker),
and queueing again what a restore brought back; both through `ingestion.document_requeue`."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from workspaces.documents.ingestion import document_requeue
from workspaces.documents.models import ACTIVE_STATUSES, DocumentStatus, WorkspaceDocument

logger = logging.getLogger(__name__)

WORKER_LOST = "Processing stopped {attempts} times without finishing (the worker was lost). Try Retry."


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
