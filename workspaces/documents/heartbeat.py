"""A run's heartbeat: a live ingestion run is never taken for dead by the recovery sweep
(`jobs.documents_recover`), a hung one is once its time limit has passed."""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from workspaces.documents.models import WorkspaceDocument

logger = logging.getLogger(__name__)


def heartbeat_keep(*, document_id: int, attempt: int, deadline: float):
    """Beat the heartbeat from a thread while one long step (extraction, a big swap) runs, until
    the time limit: a live run is never taken for dead, a hung one is after its time limit.
    Returns the function that stops it. Not inside a transaction (a test running the task in
    its request): another connection could not write while that one holds the database."""
    if connection.in_atomic_block:
        return lambda: None
    stop = threading.Event()
    interval = max(0.5, settings.INGEST_STALE_SECONDS / 4)

    def beat():
        try:
            while not stop.wait(interval) and time.monotonic() < deadline:
                rows = WorkspaceDocument.objects.filter(pk=document_id, attempts=attempt)
                if not rows.update(heartbeat_at=timezone.now()):
                    break
        except DatabaseError:
            logger.exception("Heartbeat of document %s failed", document_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{document_id}")
    thread.start()

    def stop_beating():
        stop.set()
        thread.join(timeout=interval + 5)

    return stop_beating
