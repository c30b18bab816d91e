"""Extraction in a separate process, capped by the operating system.

`extract_text` reads whatever an uploader sends, through third-party parsers (pypdf, lxml).
The caps in `documents.limits` stop every bomb we know of; this is the backstop for the
ones we do not: the reading runs in a forked child whose address space may grow by at most
EXTRACTION_MEMORY_MB per document (RLIMIT_AS) and which is killed after
EXTRACTION_TIMEOUT_SECONDS. Only the child dies; the worker answers with a refusal naming
the limit, and the next document gets a new child.

One child reads up to EXTRACTION_CHILD_DOCUMENTS documents in turn (issue 30: forking a
child per document cost more than reading a 10-page PDF); it is replaced after a failure of
its own (out of memory, an unexpected error), when it has grown by a quarter of the memory
limit, and after that many documents. Each thread that extracts has its own child. The worker
may hand it the next document before it asks for it (`read_ahead`), so that reading one document
and writing the one before take place at once, on two CPUs.

The child also stops by itself: the kernel kills it when its worker dies, and when a document
has used EXTRACTION_TIMEOUT_SECONDS of CPU (what runs in the child: `sandbox_child.py`).
"""

import gc
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time

from django.conf import settings

from workspaces.documents import readers
from workspaces.documents.extraction import ExtractedText, kind_for_filename
from workspaces.documents.kinds import OCR_KINDS
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.sandbox_child import CHUNK, KEEPS_CHILD, serve

logger = logging.getLogger(__name__)

TOO_MUCH_MEMORY = "“{name}” needs more memory to read than Docent allows (limit {limit} MB)."
TOO_SLOW = "“{name}” takes longer to read than Docent allows (limit {limit} seconds)."
CHILD_FAILED = "“{name}” could not be read: the reader stopped unexpectedly."

_threads = threading.local()  # this thread's child: a _Child, or None


class _Child:
    """A forked reader and the parent's end of its pipe."""

    def __init__(self):
        readers.parsers_preload()  # once per process: every child finds them loaded
        context = multiprocessing.get_context("fork")  # the worker's imports are reused: no start-up cost
        self.connection, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=serve, args=(child_end, os.getpid()), daemon=True)
        self.documents, self.parent_pid = 0, os.getpid()
        self.ahead = None  # (key, deadline) of a document handed over by `read_ahead`, not yet asked for
        # The child's garbage collector skips what the worker had made before the fork: walking it
        # would copy the worker's whole heap into the child, page by page (copy-on-write).
        gc.freeze()
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        child_end.close()

    def send(self, stream, header: tuple) -> None:
        self.documents += 1
        self.connection.send_bytes(pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL))
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            self.connection.send_bytes(chunk)
        self.connection.send_bytes(b"")

    def stop(self) -> None:
        """Close the pipe and end the child. It waits for its next document holding a copy of this
        end of the pipe too (forked with it), so closing alone never reaches it: it is terminated
        (SIGTERM ends it at once: it keeps the default action), then killed if it lingers."""
        self.connection.close()
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _child_for_thread() -> _Child:
    child = getattr(_threads, "child", None)
    if child is not None and child.parent_pid != os.getpid():  # this process was forked: not its child
        child = _threads.child = None
    if child is None or not child.process.is_alive():
        if child is not None:
            child.stop()
        child = _threads.child = _Child()
    return child


def reader_stop() -> None:
    """Stop this thread's extraction child, if any (the next document starts a fresh one)."""
    child, _threads.child = getattr(_threads, "child", None), None
    if child is not None:
        child.stop()


def _caps(name: str) -> tuple[int, float]:
    """(memory MB, seconds) a document may take: the longer EXTRACTION_OCR_TIMEOUT_SECONDS for kinds
    that may need OCR."""
    timeout = settings.EXTRACTION_TIMEOUT_SECONDS
    if kind_for_filename(name).extension in OCR_KINDS:
        timeout = max(timeout, settings.EXTRACTION_OCR_TIMEOUT_SECONDS)
    return settings.EXTRACTION_MEMORY_MB, timeout


def read_ahead(*, key, stream, name: str, ocr_languages: str = "") -> None:
    """Hand this thread's child the document the worker will most likely read next (`key` says
    which: any value that changes when the document's file or reading would), so the child reads it
    while the worker writes the current one; `extract_bounded` with the same key takes its answer,
    under the same caps, its time counted from now. One document ahead at most: nothing is sent
    while one is. An `extract_bounded` for another document replaces the child (it is reading a
    document nobody asked for)."""
    child = getattr(_threads, "child", None)
    if child is not None and child.parent_pid == os.getpid() and child.ahead is not None:
        return
    memory_mb, timeout = _caps(name)
    child = _sent(stream, (name, ocr_languages, memory_mb, timeout))
    child.ahead = (key, time.monotonic() + timeout)


def extract_bounded(*, stream, name: str, ocr_languages: str = "", key=None) -> ExtractedText:
    """`extract_text` in a child process with a memory cap and a wall-clock limit (`_caps`); the
    answer of the document `read_ahead` handed over when `key` is its key.

    Raises DocumentRefused: the reader's own refusals as they are, and one naming the
    limit when the child runs out of memory or time."""
    memory_mb, timeout = _caps(name)
    child = getattr(_threads, "child", None)
    ahead = child.ahead if child is not None and child.parent_pid == os.getpid() else None
    if ahead is not None and key is not None and ahead[0] == key:
        child.ahead, deadline = None, ahead[1]
    else:
        if ahead is not None:  # the child reads a document the worker did not go on to
            reader_stop()
        child = _sent(stream, (name, ocr_languages, memory_mb, timeout))
        deadline = time.monotonic() + timeout
    try:
        outcome = _receive(child.connection, deadline)
    except BaseException:  # the worker is stopping mid-answer: the child cannot be reused
        child.process.kill()
        reader_stop()
        raise
    if outcome is None or outcome[0] not in KEEPS_CHILD or not outcome[2] \
            or child.documents >= settings.EXTRACTION_CHILD_DOCUMENTS:
        if outcome is None:
            child.process.kill()
        reader_stop()
    if outcome is None:
        if time.monotonic() >= deadline or child.process.exitcode == -signal.SIGXCPU:
            logger.warning("Extraction of %s stopped after %s s", name, timeout)
            raise DocumentRefused(TOO_SLOW.format(name=name, limit=_number(timeout)), code="too_large")
        logger.warning("Extraction of %s ended without an answer (exit code %s)", name, child.process.exitcode)
        raise DocumentRefused(TOO_MUCH_MEMORY.format(name=name, limit=memory_mb), code="too_large")
    status, payload, _keep = outcome
    if status == "ok":
        return payload
    if status == "memory":
        raise DocumentRefused(TOO_MUCH_MEMORY.format(name=name, limit=memory_mb), code="too_large")
    if status == "refused":
        message, code = payload
        raise DocumentRefused(message, code=code)
    logger.error("Extraction of %s failed in the child: %s", name, payload)
    raise DocumentRefused(CHILD_FAILED.format(name=name), code="corrupt")


def _sent(stream, header: tuple) -> _Child:
    """The child that has been handed the document: a fresh one when this thread's child died
    between two documents."""
    for attempt in (1, 2):
        child = _child_for_thread()
        try:
            child.send(stream, header)
            return child
        except OSError:
            reader_stop()
            if attempt == 2:
                raise
        except BaseException:  # half a document sent: the child cannot be reused
            reader_stop()
            raise
    raise AssertionError  # unreachable: the second attempt returns or raises


def _receive(connection, deadline):
    """The child's one answer, or None when it died or the time ran out. An answer already waiting
    is taken even past the deadline (a document read ahead may be asked for after it)."""
    chunks = []
    while True:
        if not connection.poll(max(deadline - time.monotonic(), 0)):
            return None
        try:
            chunk = connection.recv_bytes()
        except (EOFError, OSError):
            return None
        if not chunk:
            return pickle.loads(b"".join(chunks))  # noqa: S301 - written by our own forked child
        chunks.append(chunk)


def _number(value: float) -> str:
    return f"{value:g}"
