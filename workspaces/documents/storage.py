"""Document files in Django's default storage, under names Docent makes up
(`documents/<workspace id>/<docId>.<ext>`), never under a name from the upload."""

import logging
import os

from django.core.files import File
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def stored_file_save(*, workspace_id: int, doc_id, extension: str, content: File) -> str:
    name = f"documents/{workspace_id}/{doc_id}.{extension}"
    try:
        content.seek(0)
        return default_storage.save(name, content)
    except FileNotFoundError:  # a deletion removed the emptied folder between its creation and the write
        content.seek(0)
        return default_storage.save(name, content)


def stored_file_open(docpath: str):
    return default_storage.open(docpath, "rb")


def stored_file_delete(docpath: str) -> None:
    """Delete one stored file; a failure is logged, never raised (the row is already gone)."""
    try:
        default_storage.delete(docpath)
    except OSError:
        logger.exception("Could not delete stored document file %s", docpath)
        return
    _remove_empty_folders(docpath)


def _remove_empty_folders(docpath: str) -> None:
    """A workspace's folder goes with its last file (local storage only; object stores have no folders).
    Folders are removed bottom-up while empty, never the storage root itself; a folder that
    another upload has just refilled stays (rmdir refuses a non-empty folder)."""
    location = getattr(default_storage, "location", None)
    if location is None:
        return
    root = os.path.abspath(location)
    folder = os.path.dirname(os.path.abspath(default_storage.path(docpath)))
    while folder.startswith(root + os.sep) and folder != root:
        try:
            os.rmdir(folder)
        except OSError:  # not empty (or already gone): stop here
            return
        folder = os.path.dirname(folder)
