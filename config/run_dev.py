"""`make run`: the development web server and an ingestion worker together, stopped together.

    python -m config.run_dev [address]      (default 127.0.0.1:8000)

Nothing else is needed: the worker takes its tasks from the database (SQLite by default).
Ctrl-C (or either process ending) stops both.
"""

import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    python = sys.executable
    children = [
        subprocess.Popen([python, "manage.py", "ingestion_worker", "--verbosity", "1"]),  # noqa: S603 (our own commands)
        subprocess.Popen([python, "manage.py", "runserver", address]),  # noqa: S603
    ]
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
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return status


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
