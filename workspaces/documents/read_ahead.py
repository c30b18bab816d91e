"""The next document read while the current one is written (issue 30).

A worker reads a document in its extraction child (`documents.sandbox`), then writes its
passages; the child idles while the worker writes. Once a document is read, the worker looks at
the task it will most likely take next (the first ready ingestion task, in the database task
backend's own order) and hands that document's file to the child (`sandbox.read_ahead`), so
both happen at once, on two CPUs. When the worker claims it, the answer is waiting; when another
worker took it, or the queue's order changed, the child is replaced and the document the worker
did claim is read as usual.

Only a worker running alone reads ahead (several would all read the same next document), and
only a file on this host's disk of at most READ_AHEAD_MAX_BYTES (the hand-over happens while the
current document waits). Nothing here can fail a document: a read-ahead that cannot start is
skipped.
"""

import logging

from django.core.files.storage import FileSystemStorage, default_storage
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from workspaces.documents.models import DocumentStatus, WorkspaceDocument
from workspaces.documents.sandbox import read_ahead
from workspaces.documents.storage import stored_file_exists, stored_file_open

logger = logging.getLogger(__name__)

READ_AHEAD_MAX_BYTES = 10 * 1024 * 1024


def reading_key(document) -> tuple:
    """What a document's reading depends on: the document (and its attempt), its file and the OCR
    languages of its workspace. `document` is a WorkspaceDocument with its workspace."""
    return (document.pk, document.attempts, document.docpath, document.filename, document.workspace.ocr_languages)


def _local_and_small(docpath: str) -> bool:
    """A file this worker can hand over at once: on this host's disk (not fetched from object
    storage while the current document waits) and at most READ_AHEAD_MAX_BYTES."""
    return (isinstance(default_storage, FileSystemStorage) and stored_file_exists(docpath)
            and default_storage.size(docpath) <= READ_AHEAD_MAX_BYTES)


def next_document_read_ahead(ingest_task) -> None:
    """Hand the document of the next ready `ingest_task` (the ingestion task: its arguments are a
    document's id and attempt) to this thread's extraction child."""
    try:
        if not isinstance(ingest_task.get_backend(), DatabaseBackend):
            return
        tasks = DBTaskResult.objects.filter(task_path=ingest_task.module_path)
        if tasks.running().count() > 1:  # other workers would read the same next document for nothing
            return
        task = tasks.ready().values_list("args_kwargs", flat=True).first()
        if task is None:
            return
        document_id, attempt = task["args"][:2]
        document = WorkspaceDocument.objects.select_related("workspace").filter(
            pk=document_id, attempts=attempt, status=DocumentStatus.QUEUED, heartbeat_at=None,
        ).first()
        if document is None or not _local_and_small(document.docpath):
            return
        with stored_file_open(document.docpath) as stream:
            read_ahead(key=reading_key(document), stream=stream, name=document.filename,
                       ocr_languages=document.workspace.ocr_languages)
    except Exception:  # noqa: BLE001 - an optimisation: the document is read when claimed instead
        logger.warning("Reading the next document ahead failed", exc_info=True)
