"""Document files in Django's default storage, under names Docent makes up
(`documents/<workspace id>/<docId>.<ext>`), never under a name from the upload."""

import logging

from django.core.files import File
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def stored_file_save(*, workspace_id: int, doc_id, extension: str, content: File) -> str:
    content.seek(0)
    return default_storage.save(f"documents/{workspace_id}/{doc_id}.{extension}", content)


def stored_file_open(docpath: str):
    return default_storage.open(docpath, "rb")


def stored_file_delete(docpath: str) -> None:
    """Delete one stored file; a failure is logged, never raised (the row is already gone)."""
    try:
        default_storage.delete(docpath)
    except OSError:
        logger.exception("Could not delete stored document file %s", docpath)
