"""What runs in the extraction child (`sandbox.py` forks it and talks to it over a pipe).

The child reads documents as they come, each under its own caps: it dies when its worker dies
(Linux's PR_SET_PDEATHSIG, so a `kill -9` of the worker leaves no reader behind), and when a
document has used EXTRACTION_TIMEOUT_SECONDS of CPU (RLIMIT_CPU, which holds even when the
worker hangs and its wall-clock limit never fires) or grown the address space by
EXTRACTION_MEMORY_MB (RLIMIT_AS). Each answer is (status, payload, whether the child goes on).
"""

import ctypes
import ctypes.util
import io
import logging
import math
import os
import pickle
import resource
import signal

from workspaces.documents.extraction import extract_text
from workspaces.documents.refusals import DocumentRefused

logger = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK = 4 * MB
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# The child's own answers; any other outcome (memory, error) retires it.
KEEPS_CHILD = ("ok", "refused")


def serve(connection, parent_pid):
    """Runs in the forked child: die with the parent, then read documents as they come, each
    under its own CPU and address-space caps, until the pipe closes or the child retires."""
    _die_with_parent(parent_pid)
    for signum in (signal.SIGTERM, signal.SIGINT):  # not the worker's handlers: they let a task finish
        signal.signal(signum, signal.SIG_DFL)
    start = _address_space_now()
    while True:
        try:
            header = connection.recv_bytes()
            name, ocr_languages, memory_mb, timeout = pickle.loads(header)  # noqa: S301 - from our parent
            content = io.BytesIO()
            while chunk := connection.recv_bytes():
                content.write(chunk)
        except (EOFError, OSError):
            os._exit(0)
        _limit(timeout, memory_mb)
        status, payload = _read(content, name, ocr_languages)
        del content
        grown = _address_space_now() - start
        keep = status in KEEPS_CHILD and grown < memory_mb * MB // 4
        _answer(connection, (status, payload, keep))
        if not keep:
            os._exit(0)


def _limit(timeout: float, memory_mb: int) -> None:
    """This document's caps: CPU seconds on top of what the child has used, within half a second
    (the limit counts whole seconds; SIGXCPU's default is to end the process), and what reading
    may add to the address space the child has now."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = round(used.ru_utime + used.ru_stime) + max(1, math.ceil(timeout))
    _soft_limit(resource.RLIMIT_CPU, cpu_seconds)
    now = _address_space_now()
    if now:  # Linux: the cap is what reading may add to the child as it is now
        _soft_limit(resource.RLIMIT_AS, now + memory_mb * MB)


def _soft_limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def _read(stream, name, ocr_languages) -> tuple[str, object]:
    try:
        return "ok", extract_text(stream=stream, name=name, ocr_languages=ocr_languages)
    except DocumentRefused as refusal:
        return "refused", (refusal.message, refusal.code)
    except MemoryError:
        return "memory", None
    except Exception as error:  # noqa: BLE001 - reported to the parent, which refuses the file
        return "error", f"{type(error).__name__}: {error}"


def _answer(connection, outcome) -> None:
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None, False))
    try:
        for start in range(0, len(data), CHUNK):
            connection.send_bytes(data[start:start + CHUNK])
        connection.send_bytes(b"")
    except OSError:
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
    """The child's address space now: the cap is what extraction may add to it."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # no /proc (not Linux): the wall-clock limit still holds
        return 0
