"""The local embedding model's files: a folder given by EMBEDDING_MODEL_DIR, or downloaded once.

Without EMBEDDING_MODEL_DIR, `embedding_provider` = `local` uses all-MiniLM-L6-v2 from
its publisher (sentence-transformers on Hugging Face, a pinned revision: the ONNX export
and the tokenizer), downloaded into EMBEDDING_MODEL_CACHE (the web processes and the
workers must share that folder) the first time something embeds in the background: the
ingestion worker or `manage.py retrieval_reembed`. A request never downloads; until the
files are there, search stays lexical.

A file is kept only once its size and SHA-256 match the published ones: it is written
under a temporary name, synced and renamed, one process at a time (a lock file; another
process finding it locked skips rather than waits), within DOWNLOAD_SECONDS. A kept file
is looked up by its size too, so a file cut short on disk is fetched again. The download goes
through `workspaces.outgoing`, with no key, following the publisher's redirects (to its CDN). After a
failure the next attempt in the background waits RETRY_AFTER_SECONDS (the command
retries at once). Set EMBEDDING_MODEL_URL empty to forbid downloading (a machine
without internet then needs EMBEDDING_MODEL_DIR).
"""

import fcntl
import hashlib
import logging
import os
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from accounts.base import DocentError
from workspaces import outgoing

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
CHUNK_BYTES = 1024 * 1024
DOWNLOAD_SECONDS = 900  # the whole download, however slowly the server trickles
RETRY_AFTER_SECONDS = 600
FAILED_KEY = "retrieval:model-download-failed:{}"
MESSAGE_NO_MODEL = "The local embedding model is not installed: set EMBEDDING_MODEL_DIR to its folder."
MESSAGE_BAD_URL = "EMBEDDING_MODEL_URL must be an http(s) address."
MESSAGE_NOT_DOWNLOADED = (
    "The local embedding model is not downloaded yet: "
    "the ingestion worker fetches it (or `manage.py retrieval_reembed`)."
)
MESSAGE_BUSY = "Another process is downloading the local embedding model."
MESSAGE_DOWNLOAD_FAILED = "Docent could not download the embedding model file {name}: {reason}."
MESSAGE_FOLDER_FAILED = "Docent could not download the embedding model into {folder}: {reason}."
MESSAGE_CORRUPT = "The downloaded embedding model file {name} is not the published one ({what}); nothing was kept."


class ModelFile(NamedTuple):
    remote: str  # its path under EMBEDDING_MODEL_URL
    size: int
    sha256: str


# sentence-transformers/all-MiniLM-L6-v2: the float32 ONNX export and the tokenizer (the
# tokenizer's SHA-256 is also that of the offline copy in ../shared/models, which is int8).
MODEL_FILES = {
    "model.onnx": ModelFile(
        "onnx/model.onnx", 90_405_214, "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452"
    ),
    "tokenizer.json": ModelFile(
        "tokenizer.json", 466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
    ),
}


class ModelUnavailable(DocentError):
    default_code = "embedding_model_unavailable"


def local_model_folder(*, download: bool = False, retry: bool = False) -> Path:
    """The folder holding model.onnx and tokenizer.json. With `download`, fetches the default
    model into the cache when it is not there yet (with `retry`, even right after a failure).
    Raises ModelUnavailable with the reason."""
    if settings.EMBEDDING_MODEL_DIR:
        folder = Path(settings.EMBEDDING_MODEL_DIR).resolve()
        if not (folder / "model.onnx").is_file():
            raise ModelUnavailable(MESSAGE_NO_MODEL)
        return folder
    folder = Path(settings.EMBEDDING_MODEL_CACHE).resolve() / DEFAULT_MODEL
    if all(_kept(folder, name, expected) for name, expected in MODEL_FILES.items()):
        return folder
    base_url = settings.EMBEDDING_MODEL_URL
    if not base_url:
        raise ModelUnavailable(MESSAGE_NO_MODEL)
    if not download:
        raise ModelUnavailable(MESSAGE_NOT_DOWNLOADED)
    failed_key = FAILED_KEY.format(hashlib.sha256(f"{base_url} {folder}".encode()).hexdigest()[:16])
    failed = None if retry else cache.get(failed_key)
    if failed:  # a machine without internet does not try again on every upload
        raise ModelUnavailable(failed)
    try:
        model_download(folder=folder, base_url=base_url)
    except ModelUnavailable as exc:
        if exc.message != MESSAGE_BUSY:
            cache.set(failed_key, exc.message, timeout=RETRY_AFTER_SECONDS)
        raise
    cache.delete(failed_key)
    return folder


def model_download(*, folder: Path, base_url: str) -> None:
    """Fetch each of MODEL_FILES that `folder` lacks from `base_url` (see the module's docstring).
    Raises ModelUnavailable, whatever went wrong, and keeps nothing of a file that failed."""
    if urllib.parse.urlsplit(base_url).scheme.lower() not in ("http", "https"):
        raise ModelUnavailable(MESSAGE_BAD_URL)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise ModelUnavailable(MESSAGE_BUSY) from exc
            deadline = time.monotonic() + DOWNLOAD_SECONDS
            for name, expected in MODEL_FILES.items():
                if not _kept(folder, name, expected):
                    _fetch(folder, name, f"{base_url.rstrip('/')}/{expected.remote}", expected, deadline)
    except ModelUnavailable:
        raise
    except Exception as exc:  # disk full, permissions, a broken connection: all the same to the caller
        raise ModelUnavailable(MESSAGE_FOLDER_FAILED.format(folder=folder, reason=exc)) from exc


def _kept(folder: Path, name: str, expected: ModelFile) -> bool:
    try:
        return (folder / name).stat().st_size == expected.size
    except OSError:
        return False


def _fetch(folder: Path, name: str, url: str, expected: ModelFile, deadline: float) -> None:
    logger.info("downloading the embedding model file %s from %s", name, urllib.parse.urlsplit(url).hostname)
    handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with outgoing.response_open("GET", url, accept="*/*", timeout=settings.EMBEDDING_TIMEOUT_SECONDS,
                                            follow_redirects=True) as response:
                    for chunk in response.chunks():
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"not done in {DOWNLOAD_SECONDS} s")
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        if size > expected.size:
                            break
                out.flush()
                os.fsync(out.fileno())
            except (outgoing.OutgoingError, TimeoutError, OSError) as exc:
                raise ModelUnavailable(MESSAGE_DOWNLOAD_FAILED.format(name=name, reason=exc)) from exc
        if size != expected.size:
            raise ModelUnavailable(MESSAGE_CORRUPT.format(name=name, what=f"{size:,} bytes, not {expected.size:,}"))
        if digest.hexdigest() != expected.sha256:
            raise ModelUnavailable(MESSAGE_CORRUPT.format(name=name, what="its SHA-256 differs"))
        os.replace(partial, folder / name)
    finally:
        Path(partial).unlink(missing_ok=True)
