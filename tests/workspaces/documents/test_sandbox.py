"""The extraction child never outlives its worker, and never uses more CPU than its time limit,
even when the worker cannot stop it (found: after `kill -9` of the worker, its child ran on 74 s)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = Path(__file__).with_name("extraction_parent.py")
ROOT = Path(__file__).resolve().parents[3]


def start_parent(tmp_path, timeout_seconds: float):
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [sys.executable, str(PARENT), str(pid_file), str(timeout_seconds)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not pid_file.exists():
        assert parent.poll() is None and time.monotonic() < deadline, "the extraction child never started"
        time.sleep(0.05)
    return parent, int(pid_file.read_text())


def running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.05)
    return not running(pid)


# Linux only, as Docent's extraction is (PR_SET_PDEATHSIG, /proc): no skipping elsewhere.


@pytest.mark.slow  # a worker process started and killed
def test_the_extraction_child_dies_when_its_worker_is_killed(tmp_path):
    parent, child = start_parent(tmp_path, timeout_seconds=600)
    try:
        assert running(child)
        parent.kill()  # kill -9: the worker gets no chance to stop its child
        parent.wait()
        assert gone_within(child, 2), "the extraction child ran on after its worker was killed"
    finally:
        if running(child):
            os.kill(child, signal.SIGKILL)


@pytest.mark.slow  # a child spinning until its CPU limit
def test_the_extraction_child_is_stopped_by_its_cpu_limit_even_if_its_worker_cannot_stop_it(tmp_path):
    parent, child = start_parent(tmp_path, timeout_seconds=1)
    try:
        parent.send_signal(signal.SIGSTOP)  # a worker that hangs: its wall-clock limit never fires
        assert gone_within(child, 5), "the extraction child used more CPU than its time limit"
    finally:
        parent.send_signal(signal.SIGCONT)
        if running(child):
            os.kill(child, signal.SIGKILL)
        out, _ = parent.communicate(timeout=30)
    assert "takes longer to read than Docent allows (limit 1 seconds)" in out


CHILD_FINDS_PARSERS = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
django.setup()
from workspaces.documents import readers, sandbox, sandbox_child
from workspaces.documents.refusals import DocumentRefused

def report(*, stream, name, **_):
    raise DocumentRefused(",".join(m for m in readers.LAZY_PARSERS if m not in sys.modules) or "none", code="corrupt")

sandbox_child.extract_text = report
loaded_before = "pypdf" in sys.modules
try:
    sandbox.extract_bounded(stream=open(sys.argv[1], "rb"), name="file.pdf")
except DocumentRefused as answer:
    print(f"pypdf-before={loaded_before} missing-in-child={answer.message}")
"""


@pytest.mark.slow
def test_every_extraction_child_finds_the_parsers_already_loaded_by_its_worker(tmp_path):
    """Issue 30: each child used to import pypdf again (0.3-0.5 s of every PDF)."""
    sample = tmp_path / "file.pdf"
    sample.write_bytes(b"%PDF-1.4")
    answer = subprocess.run(
        [sys.executable, "-c", CHILD_FINDS_PARSERS, str(sample)], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=True,
    )
    assert answer.stdout.strip() == "pypdf-before=False missing-in-child=none", answer.stderr
