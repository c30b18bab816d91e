"""`make run`: the development web server and an ingestion worker together, stopped together.

    python -m config.run_dev [address]      (default 127.0.0.1:8000)

Nothing else is needed: the worker takes its tasks from the database (SQLite by default).
Ctrl-C (or either process ending) stops both.
"""

import os
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    python = sys.executable
    children = [
        # Each in its own process group, so stopping one also stops its autoreloader's child.
        subprocess.Popen([python, "manage.py", "ingestion_worker", "--verbosity", "1"],  # noqa: S603 (our own commands)
                         start_new_session=True),
        subprocess.Popen([python, "manage.py", "runserver", address], start_new_session=True),  # noqa: S603
    ]
    # Ctrl-C stops both even when started from a background shell (which would leave SIGINT ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    status = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        status = next(child.returncode for child in children if child.poll() is not None)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGINT)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
    return status


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
