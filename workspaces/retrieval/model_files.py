"""The local embedding model's files: a folder given by EMBEDDING_MODEL_DIR, or downloaded once.

Without EMBEDDING_MODEL_DIR, `embedding_provider` = `local` uses all-MiniLM-L6-v2 from
its publisher (sentence-transformers on Hugging Face, a pinned revision: the ONNX export
and the tokenizer), downloaded into EMBEDDING_MODEL_CACHE the first time something
embeds in the background: the ingestion worker or `manage.py retrieval_reembed`. A
request never downloads; until the files are there, search stays lexical. Each file is
checked against its size and SHA-256 before it is kept, so a truncated or altered
download is thrown away, never loaded. After a failure the next attempt waits
RETRY_AFTER_SECONDS. Set EMBEDDING_MODEL_URL empty to forbid downloading (a machine
without internet then needs EMBEDDING_MODEL_DIR).
"""

import hashlib
import logging
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from accounts.base import DocentError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
CHUNK_BYTES = 1024 * 1024
# After a failed download, the next attempt waits this long (every process: the cache).
RETRY_AFTER_SECONDS = 600
FAILED_KEY = "retrieval:model-download-failed"
MESSAGE_NO_MODEL = "The local embedding model is not installed: set EMBEDDING_MODEL_DIR to its folder."
MESSAGE_NOT_DOWNLOADED = (
    "The local embedding model is not downloaded yet: the next upload or `manage.py retrieval_reembed` fetches it."
)
MESSAGE_DOWNLOAD_FAILED = "Docent could not download the embedding model file {name}: {reason}."
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
_DOWNLOAD_LOCK = threading.Lock()


class ModelUnavailable(DocentError):
    default_code = "embedding_model_unavailable"


def local_model_folder(*, download: bool = False) -> Path:
    """The folder holding model.onnx and tokenizer.json. With `download`, fetches the default
    model into the cache when it is not there yet. Raises ModelUnavailable with the reason."""
    if settings.EMBEDDING_MODEL_DIR:
        folder = Path(settings.EMBEDDING_MODEL_DIR).resolve()
        if not (folder / "model.onnx").is_file():
            raise ModelUnavailable(MESSAGE_NO_MODEL)
        return folder
    folder = Path(settings.EMBEDDING_MODEL_CACHE).resolve() / DEFAULT_MODEL
    if all((folder / name).is_file() for name in MODEL_FILES):
        return folder
    if not settings.EMBEDDING_MODEL_URL:
        raise ModelUnavailable(MESSAGE_NO_MODEL)
    if not download:
        raise ModelUnavailable(MESSAGE_NOT_DOWNLOADED)
    failed = cache.get(FAILED_KEY)
    if failed:  # a machine without internet does not wait on every upload
        raise ModelUnavailable(failed)
    try:
        model_download(folder=folder, base_url=settings.EMBEDDING_MODEL_URL)
    except ModelUnavailable as exc:
        cache.set(FAILED_KEY, exc.message, timeout=RETRY_AFTER_SECONDS)
        raise
    return folder


def model_download(*, folder: Path, base_url: str) -> None:
    """Fetch each of MODEL_FILES that `folder` lacks from `base_url`, keeping it only once its size
    and SHA-256 match. Raises ModelUnavailable (and keeps nothing of that file) otherwise."""
    if not base_url.startswith(("http://", "https://")):
        raise ModelUnavailable(MESSAGE_NO_MODEL)
    folder.mkdir(parents=True, exist_ok=True)
    with _DOWNLOAD_LOCK:  # one download per process; another process's lands by an atomic rename
        for name, expected in MODEL_FILES.items():
            if not (folder / name).is_file():
                _fetch(folder, name, f"{base_url.rstrip('/')}/{expected.remote}", expected)


def _fetch(folder: Path, name: str, url: str, expected: ModelFile) -> None:
    partial = folder / f".{name}.{os.getpid()}.part"
    digest, size = hashlib.sha256(), 0
    logger.info("downloading the embedding model file %s from %s", name, url)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "Docent"})  # noqa: S310 - http(s) checked
        with urllib.request.urlopen(request, timeout=settings.EMBEDDING_TIMEOUT_SECONDS) as response, \
                partial.open("wb") as out:  # noqa: S310
            while size <= expected.size and (chunk := response.read(CHUNK_BYTES)):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise ModelUnavailable(MESSAGE_DOWNLOAD_FAILED.format(name=name, reason=reason)) from exc
    problem = (
        f"{size:,} bytes instead of {expected.size:,}" if size != expected.size
        else "its SHA-256 differs" if digest.hexdigest() != expected.sha256 else ""
    )
    if problem:
        partial.unlink(missing_ok=True)
        raise ModelUnavailable(MESSAGE_CORRUPT.format(name=name, what=problem))
    os.replace(partial, folder / name)
