"""`make run`: the development server and an ingestion worker on SQLite, nothing else;
an upload made through the server is processed by the worker; however it is stopped (Ctrl-C,
SIGTERM, SIGHUP, or one of the two ending) it leaves no process and no listener behind."""

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # starts the runner: a server and a worker, each a Django process
STOP_SECONDS = 10
MARK = "RUN_DEV_TEST_MARK"  # in the environment of every process a test starts, to find them all


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def marked(mark: str) -> dict[int, str]:
    """{pid: command line} of every live process started under `mark` (children inherit it)."""
    found, variable = {}, f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or variable not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            stat = (entry / "stat").read_text()
            if stat[stat.rindex(")") + 2] != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("run-dev") / "db.sqlite3"
    environment = development_environment(database.parent, database)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment, check=True,
                   timeout=180)
    return database


def development_environment(folder: Path, database: Path) -> dict:
    # Not the test settings, and not the `make test` that may have started the suite.
    inherited = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    return {
        **{key: value for key, value in os.environ.items() if key not in inherited},
        "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(folder / "media"),
        "CACHE_URL": f"filecache://{folder / 'cache'}", "INGEST_SWEEP_SECONDS": "1",
    }


@pytest.fixture
def environment(tmp_path, migrated_database):
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated_database, database)
    mark = uuid.uuid4().hex
    yield {**development_environment(tmp_path, database), MARK: mark}
    for pid in marked(mark):  # a failed test leaves nothing running either
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def serving(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def settled(environment: dict, want: int, seconds: float = 60) -> dict[int, str]:
    """The test's processes once `want` of them run (each child with its autoreloader's child)."""
    deadline = time.monotonic() + seconds
    while len(processes := marked(environment[MARK])) < want and time.monotonic() < deadline:
        time.sleep(0.3)
    return processes


def start(command: list[str], environment: dict) -> subprocess.Popen:
    # Its own session, as a terminal would start it; signals below go to this process alone.
    return subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True,  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def assert_nothing_left(runner: subprocess.Popen, environment: dict, port: int) -> int:
    status = runner.wait(timeout=STOP_SECONDS)
    deadline = time.monotonic() + 3
    while (marked(environment[MARK]) or listening(port)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not marked(environment[MARK])
    assert not listening(port)
    return status


def run_dev(environment: dict, port: int) -> subprocess.Popen:
    return start([sys.executable, "-m", "config.run_dev", f"127.0.0.1:{port}"], environment)


def test_make_run_serves_processes_uploads_in_its_worker_and_stops_both_on_ctrl_c(environment):
    port = free_port()
    subprocess.run(  # noqa: S603 - a document queued before the worker starts
        [sys.executable, "manage.py", "shell", "-v0", "-c",
         "from django.core.files.base import ContentFile\n"
         "from workspaces.models import Workspace\n"
         "from workspaces.documents.services import document_ingest\n"
         "w = Workspace.objects.create(name='Dev')\n"
         "document_ingest(workspace=w, uploaded_file=ContentFile(b'Queued before the worker.', name='a.txt'), "
         "filename='a.txt')"],
        cwd=ROOT, env=environment, check=True, timeout=120,
    )
    runner = run_dev(environment, port)
    try:
        deadline = time.monotonic() + 60
        assert serving(port, deadline)
        database = environment["DATABASE_URL"].removeprefix("sqlite:///")
        while time.monotonic() < deadline:
            with contextlib.closing(sqlite3.connect(database, timeout=10)) as connection:
                (status,) = connection.execute("SELECT status FROM workspace_documents").fetchone()
            if status == "ready":
                break
            time.sleep(0.5)
        assert status == "ready"
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(runner.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 2
    finally:
        runner.send_signal(signal.SIGINT)
    assert_nothing_left(runner, environment, port)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_run_dev_stopped_by_a_signal_leaves_no_process_and_no_listener(environment, stop):
    port = free_port()
    runner = run_dev(environment, port)
    try:
        assert serving(port, time.monotonic() + 60)
        # run_dev, runserver and the worker, each of these two with its autoreloader's child
        assert len(settled(environment, want=5)) == 5
    finally:
        runner.send_signal(stop)
    assert_nothing_left(runner, environment, port)


@pytest.mark.parametrize(
    ("ending", "how"), [("runserver", signal.SIGKILL), ("ingestion_worker", signal.SIGTERM)],
    ids=["web-killed", "worker-stopped-cleanly"],
)
def test_when_one_child_ends_run_dev_stops_the_other_and_exits_non_zero(environment, ending, how):
    port = free_port()
    runner = run_dev(environment, port)
    assert serving(port, time.monotonic() + 60)
    children = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(runner.pid)], capture_output=True,
                              text=True).stdout.splitlines()
    (child,) = [int(line.split()[0]) for line in children if ending in line]
    settled(environment, want=5)

    os.killpg(child, how)  # its process group: the autoreloader and its child

    assert assert_nothing_left(runner, environment, port) != 0


@pytest.mark.parametrize("to_group", [False, True], ids=["SIGTERM-to-make", "SIGHUP-to-its-terminal-group"])
def test_make_run_serves_on_the_port_given_and_stops_everything_when_make_is_stopped(environment, to_group):
    """SIGTERM to make alone (make passes it on); SIGHUP to the process group, as a closed terminal sends it."""
    port = free_port()
    # `-o install`: the virtual environment is taken as it is (no pip run from the test suite).
    runner = start(["make", "--no-print-directory", "-o", "install", "run", f"PORT={port}"], environment)
    try:
        assert serving(port, time.monotonic() + 90)
        assert len(settled(environment, want=6)) == 6  # make and run_dev's five
    finally:
        if to_group:
            os.killpg(runner.pid, signal.SIGHUP)
        else:
            runner.send_signal(signal.SIGTERM)
    assert_nothing_left(runner, environment, port)
