"""`make run`: the development web server and an ingestion worker together, stopped together.

    python -m config.run_dev [address]      (default 127.0.0.1:8000; `make run PORT=8123`)

Nothing else is needed: the worker takes its tasks from the database (SQLite by default).
Ctrl-C, SIGTERM or SIGHUP (a closed terminal), or either process ending, stops both with
everything they started, and leaves nothing listening on the port. Each child runs in its
own process group, so the autoreloader's child and an extraction child go with their parent;
whatever has not stopped STOP_GRACE_SECONDS after SIGINT is killed.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

DEFAULT_ADDRESS = "127.0.0.1:8000"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_SECONDS = 5
POLL_SECONDS = 0.2
CHILD_ENDED = "run_dev: {name} ended (exit status {status}); stopping the rest."


def main(argv: list[str]) -> int:
    address = argv[0] if argv else DEFAULT_ADDRESS
    commands = {
        "ingestion_worker": [sys.executable, "manage.py", "ingestion_worker", "--verbosity", "1"],
        "runserver": [sys.executable, "manage.py", "runserver", address],
    }
    stop_requests = []
    for signum in STOP_SIGNALS:
        # Also when started from a background shell, which would leave SIGINT ignored.
        signal.signal(signum, lambda signum, frame: stop_requests.append(signum))
    children = {}
    status = 0
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603 (our own commands)
        while not stop_requests:
            ended = {name: child.returncode for name, child in children.items() if child.poll() is not None}
            if ended:
                name, code = next(iter(ended.items()))
                print(CHILD_ENDED.format(name=name, status=code), file=sys.stderr, flush=True)
                status = code if code and code > 0 else 1
                break
            time.sleep(POLL_SECONDS)
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        children_stop(list(children.values()))
    return status


def children_stop(children: list[subprocess.Popen]) -> None:
    """SIGINT to each child's process group, then SIGKILL to whatever is left in it."""
    for child in children:
        _signal_group(child.pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        # The leader's exit does not end its group: a reloader's child or an extraction may remain.
        _signal_group(child.pid, signal.SIGKILL)
        child.wait()


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the whole group is gone already
        os.killpg(group, signum)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
