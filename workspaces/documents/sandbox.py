"""Extraction in a separate process, capped by the operating system.

`extract_text` reads whatever an uploader sends, through third-party parsers (pypdf, lxml).
The caps in `documents.limits` stop every bomb we know of; this is the backstop for the
ones we do not: the reading runs in a forked child whose address space is limited
(RLIMIT_AS, EXTRACTION_MEMORY_MB) and which is killed after EXTRACTION_TIMEOUT_SECONDS.
Only the child dies; the worker answers with a refusal naming the limit.

The child also stops by itself: the kernel kills it when its worker dies (Linux's
PR_SET_PDEATHSIG, so a `kill -9` of the worker leaves no reader behind), and when it has
used EXTRACTION_TIMEOUT_SECONDS of CPU (RLIMIT_CPU, which holds even when the worker
hangs and its wall-clock limit never fires).
"""

import ctypes
import ctypes.util
import gc
import logging
import math
import multiprocessing
import os
import pickle
import resource
import signal
import time

from django.conf import settings

from workspaces.documents import readers
from workspaces.documents.extraction import ExtractedText, extract_text, kind_for_filename
from workspaces.documents.kinds import OCR_KINDS
from workspaces.documents.refusals import DocumentRefused

logger = logging.getLogger(__name__)

TOO_MUCH_MEMORY = "“{name}” needs more memory to read than Docent allows (limit {limit} MB)."
TOO_SLOW = "“{name}” takes longer to read than Docent allows (limit {limit} seconds)."
CHILD_FAILED = "“{name}” could not be read: the reader stopped unexpectedly."
MB = 1024 * 1024
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def extract_bounded(*, stream, name: str, ocr_languages: str = "") -> ExtractedText:
    """`extract_text` in a child process with a memory cap and a wall-clock limit (the longer
    EXTRACTION_OCR_TIMEOUT_SECONDS for kinds that may need OCR).

    Raises DocumentRefused: the reader's own refusals as they are, and one naming the
    limit when the child runs out of memory or time."""
    memory_mb, timeout = settings.EXTRACTION_MEMORY_MB, settings.EXTRACTION_TIMEOUT_SECONDS
    if kind_for_filename(name).extension in OCR_KINDS:
        timeout = max(timeout, settings.EXTRACTION_OCR_TIMEOUT_SECONDS)
    readers.parsers_preload()  # once per process: every child finds them loaded
    context = multiprocessing.get_context("fork")  # the worker's imports are reused: no start-up cost
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, stream, name, ocr_languages, memory_mb, timeout, os.getpid()), daemon=True
    )
    stream.seek(0)
    # The child's garbage collector skips what the worker had made before the fork: walking it
    # would copy the worker's whole heap into the child, page by page (copy-on-write).
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    sender.close()
    deadline = time.monotonic() + timeout
    try:
        outcome = _receive(receiver, deadline)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome is None:
        if time.monotonic() >= deadline or child.exitcode == -signal.SIGXCPU:
            logger.warning("Extraction of %s stopped after %s s", name, timeout)
            raise DocumentRefused(TOO_SLOW.format(name=name, limit=_number(timeout)), code="too_large")
        logger.warning("Extraction of %s ended without an answer (exit code %s)", name, child.exitcode)
        raise DocumentRefused(TOO_MUCH_MEMORY.format(name=name, limit=memory_mb), code="too_large")
    status, payload = outcome
    if status == "ok":
        return payload
    if status == "memory":
        raise DocumentRefused(TOO_MUCH_MEMORY.format(name=name, limit=memory_mb), code="too_large")
    if status == "refused":
        message, code = payload
        raise DocumentRefused(message, code=code)
    logger.error("Extraction of %s failed in the child: %s", name, payload)
    raise DocumentRefused(CHILD_FAILED.format(name=name), code="corrupt")


def _receive(receiver, deadline):
    """The child's one message, or None when it died or the time ran out."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not receiver.poll(remaining):
            return None
        try:
            chunk = receiver.recv_bytes()
        except EOFError:
            return None
        if not chunk:
            return pickle.loads(b"".join(chunks))  # noqa: S301 - written by our own forked child
        chunks.append(chunk)


def _child(sender, stream, name, ocr_languages, memory_mb, timeout, parent_pid):
    """Runs in the forked child: die with the parent, cap CPU time and address space, read,
    send one answer in pieces."""
    _die_with_parent(parent_pid)
    cpu_seconds = max(1, math.ceil(timeout))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))  # SIGXCPU, then SIGKILL
    now = _address_space_now()
    if now:  # Linux: the cap is what reading may add to the worker it was forked from
        limit = now + memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        outcome = ("ok", extract_text(stream=stream, name=name, ocr_languages=ocr_languages))
    except DocumentRefused as refusal:
        outcome = ("refused", (refusal.message, refusal.code))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which refuses the file
        outcome = ("error", f"{type(error).__name__}: {error}")
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    try:
        for start in range(0, len(data), 4 * MB):
            sender.send_bytes(data[start:start + 4 * MB])
        sender.send_bytes(b"")
    finally:
        sender.close()
        os._exit(0)


def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); elsewhere the CPU limit
    still ends it. A parent that died before the request was made is caught by the pid check."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        logger.warning("The extraction child cannot ask to die with its parent on this system")
    if os.getppid() != parent_pid:
        os._exit(1)


def _address_space_now() -> int:
    """The child's address space at the fork: the cap is what extraction may add to it."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # no /proc (not Linux): the wall-clock limit still holds
        return 0


def _number(value: float) -> str:
    return f"{value:g}"
