"""Document files in Django's default storage, under names Docent makes up
(`documents/<workspace id>/<docId>.<ext>`), never under a name from the upload.

The backend is configuration (docs/production.md "Object storage"): a local folder by default,
an S3-compatible bucket when S3_BUCKET is set. Nothing else in Docent touches files.
"""

import logging
import os
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

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


def stored_file_exists(docpath: str) -> bool:
    return default_storage.exists(docpath)


def stored_file_delete(docpath: str) -> None:
    """Delete one stored file; a failure is logged, never raised (the row is already gone)."""
    try:
        default_storage.delete(docpath)
    except Exception:  # OSError locally, botocore errors on S3: either way the row is gone already
        logger.exception("Could not delete stored document file %s", docpath)
        return
    _remove_empty_folders(docpath)


def _remove_empty_folders(docpath: str) -> None:
    """A workspace's folder goes with its last file (local storage only; object stores have no folders).
    Folders are removed bottom-up while empty, never the storage root itself; a folder that
    another upload has just refilled stays (rmdir refuses a non-empty folder)."""
    if not isinstance(default_storage, FileSystemStorage):  # the lazy proxy passes isinstance through
        return
    root = os.path.abspath(default_storage.location)
    folder = os.path.dirname(os.path.abspath(default_storage.path(docpath)))
    while folder.startswith(root + os.sep) and folder != root:
        try:
            os.rmdir(folder)
        except OSError:  # not empty (or already gone): stop here
            return
        folder = os.path.dirname(folder)


def stored_file_download_url(docpath: str, *, filename: str, content_type: str) -> str | None:
    """A short-lived signed address the browser downloads `docpath` from, or None when the
    storage is a local folder (then the app streams the file itself)."""
    if not hasattr(default_storage, "bucket_name"):
        return None
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    return default_storage.url(
        docpath,
        parameters={
            "ResponseContentDisposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "ResponseContentType": content_type,
        },
        expire=settings.S3_DOWNLOAD_URL_SECONDS,
    )
