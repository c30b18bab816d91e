"""`make run`: the development server and an ingestion worker on SQLite, nothing else;
an upload made through the server is processed by the worker; Ctrl-C stops both."""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # starts the runner: a server and a worker, each a Django process


def test_make_run_serves_processes_uploads_in_its_worker_and_stops_both_on_ctrl_c(tmp_path):
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")},
        "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MEDIA_ROOT": str(tmp_path / "media"),
        "INGEST_SWEEP_SECONDS": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment, check=True,  # noqa: S603
                   timeout=120)
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
    runner = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "config.run_dev", f"127.0.0.1:{port}"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        served = False
        while time.monotonic() < deadline and not served:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as response:  # noqa: S310
                    served = response.status == 200
            except OSError:
                time.sleep(0.3)
        assert served
        while time.monotonic() < deadline:
            with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3", timeout=10)) as database:
                (status,) = database.execute("SELECT status FROM workspace_documents").fetchone()
            if status == "ready":
                break
            time.sleep(0.5)
        assert status == "ready"
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(runner.pid)], capture_output=True,  # noqa: S607
                                  text=True).stdout.split()
        assert len(children) == 2
    finally:
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=30) is not None
    time.sleep(0.5)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
