"""Two hosts, one Docent: two gunicorn instances and an ingestion worker sharing
PostgreSQL, Redis and an S3 server (moto), driven over HTTP as a browser would.

Not part of `make test` (it needs PostgreSQL and Redis): `make test-twohosts`, run by
.ci/run. Services come from TWOHOSTS_DATABASE_URL (a database it drops and recreates),
TWOHOSTS_CACHE_URL and TWOHOSTS_S3_PORT; the two hosts listen on TWOHOSTS_PORTS (two free ports
unless given).
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import requests

from tests.ports import free_port
from tests.s3_server import bucket_keys, new_bucket, s3_server, storage_environment

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("TWOHOSTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h12_twohosts")
CACHE_URL = os.environ.get("TWOHOSTS_CACHE_URL", "redis://127.0.0.1:6379/12")
PORTS = [int(port) for port in os.environ.get("TWOHOSTS_PORTS", "").split(",") if port] or [free_port(), free_port()]
# Its own S3 server, so a test run elsewhere that stops its server cannot pull this one away.
S3_PORT = int(os.environ.get("TWOHOSTS_S3_PORT", "0"))
PASSWORD = "correct-horse-battery-staple"
# A setting changed on one host is in force on the other from its next request: the change
# deletes the settings entry in the shared cache. The test allows this much.
SETTING_BOUND_SECONDS = 2.0
STALE_SECONDS = 4


def recreate_database():
    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Cluster:
    def __init__(self, environment, tmp_path):
        self.environment = environment
        self.tmp_path = tmp_path
        self.processes = []
        self.worker = None

    def manage(self, *args, code=None):
        command = [sys.executable, "manage.py", *args] + (["--verbosity", "0", "-c", code] if code else [])
        done = subprocess.run(  # noqa: S603 - our own command
            command, cwd=ROOT, env=self.environment, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, command, log_name):
        log = open(self.tmp_path / log_name, "ab")  # noqa: SIM115 - closed with the cluster
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def start_host(self, port):
        environment = {
            **self.environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
            "SEARCH_INDEX_DIR": str(self.tmp_path / f"search-index-{port}"),  # each host its own folder
        }
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=environment,
            stdout=open(self.tmp_path / f"host-{port}.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200:
                    return process
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"host on {port} did not start: {(self.tmp_path / f'host-{port}.log').read_text()}")

    def start_worker(self, name):
        self.worker = self.start(
            [sys.executable, "manage.py", "ingestion_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            f"{name}.log",
        )
        return self.worker

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("twohosts")
    with s3_server(S3_PORT) as endpoint:
        bucket = new_bucket(endpoint)
        environment = {
            **os.environ,
            "DEBUG": "0", "SECRET_KEY": "two-hosts-test-secret-key-shared-by-both",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": DATABASE_URL, "CACHE_URL": CACHE_URL,
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            "STATIC_ROOT": str(tmp_path / "static"), "LOG_LEVEL": "WARNING",
            "INGEST_STALE_SECONDS": str(STALE_SECONDS), "INGEST_SWEEP_SECONDS": "1",
            "EMBEDDING_MODEL_URL": "",  # the local model is the default: no test downloads it
            **storage_environment(endpoint, bucket),
        }
        environment.pop("DJANGO_SETTINGS_MODULE", None)  # the real settings, not the test ones
        recreate_database()
        running = Cluster(environment, tmp_path)
        running.endpoint, running.bucket = endpoint, bucket
        running.manage("migrate", "--noinput")
        running.manage("collectstatic", "--noinput")
        running.manage("shell", code=(
            "from django.core.cache import cache; cache.clear()\n"
            "from accounts.models import User\n"
            "from workspaces.models import Workspace, WorkspaceUser\n"
            f"User.objects.create_user('ada', '{PASSWORD}', role='admin')\n"
            f"mia = User.objects.create_user('mia', '{PASSWORD}')\n"
            f"User.objects.create_user('lou', '{PASSWORD}')\n"
            "research = Workspace.objects.create(name='Research')\n"
            "WorkspaceUser.objects.create(user=mia, workspace=research)\n"
        ))
        try:
            for port in PORTS:
                running.start_host(port)
            running.start_worker("worker-1")
            yield running
        finally:
            running.stop()


def host(index):
    return f"http://127.0.0.1:{PORTS[index]}"


def csrf_from(session, url):
    page = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return token.group(1)


def sign_in(session, base, username, password=PASSWORD):
    token = csrf_from(session, f"{base}/login/")
    return session.post(f"{base}/login/", data={"csrfmiddlewaretoken": token, "username": username,
                                                "password": password}, headers={"Referer": f"{base}/login/"},
                        timeout=10)


def test_a_member_signs_in_on_one_host_and_continues_on_the_other(cluster):
    browser = requests.Session()
    assert sign_in(browser, host(0), "mia").status_code == 200
    page = browser.get(f"{host(1)}/w/research/", timeout=10)
    assert page.status_code == 200 and "Research" in page.text and "/login/" not in page.url


def test_a_lockout_counted_on_one_host_holds_on_the_other(cluster):
    for _ in range(5):
        refused = sign_in(requests.Session(), host(0), "lou", password="wrong-password")
        assert "do not match an account" in refused.text or "Too many failed sign-ins" in refused.text
    page = sign_in(requests.Session(), host(1), "lou")
    assert "Too many failed sign-ins" in page.text


def test_a_system_setting_changed_on_one_host_is_in_force_on_the_other_within_the_bound(cluster):
    label_id = cluster.manage("shell", code=(
        "from settings_app.models import SystemSetting\n"
        "print(SystemSetting.objects.get(label='custom_app_name').pk)"
    )).strip()
    admin = requests.Session()
    sign_in(admin, host(0), "ada")
    change_url = f"{host(0)}/admin/settings_app/systemsetting/{label_id}/change/"
    token = csrf_from(admin, change_url)
    saved = admin.post(change_url, data={"csrfmiddlewaretoken": token, "value": "Harbour Docs", "_save": "Save"},
                       headers={"Referer": change_url}, timeout=10)
    assert saved.status_code == 200
    changed_at = time.monotonic()
    while "Harbour Docs" not in requests.get(f"{host(1)}/login/", timeout=10).text:
        assert time.monotonic() - changed_at < SETTING_BOUND_SECONDS
        time.sleep(0.05)


def upload(session, base, name, content: bytes):
    token = csrf_from(session, f"{base}/w/research/documents/upload/")
    response = session.post(
        f"{base}/w/research/documents/upload/", files={"documents": (name, content)},
        data={"csrfmiddlewaretoken": token}, headers={"Accept": "application/json",
                                                      "Referer": f"{base}/w/research/"}, timeout=120,
    )
    assert response.status_code == 201, response.text
    return response.json()["documents"][0]


def state(session, base, doc_id):
    return session.get(f"{base}/w/research/documents/status/?ids={doc_id}", timeout=10).json()["documents"][0]


def wait_until(condition, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out")


def test_an_upload_through_one_host_is_processed_by_the_worker_and_searchable_through_the_other(cluster):
    """Each host keeps its own search index folder: both follow what the worker and the other host did."""
    admin = requests.Session()
    sign_in(admin, host(0), "ada")
    reader = requests.Session()
    sign_in(reader, host(1), "mia")
    assert "tides.txt" not in reader.get(f"{host(1)}/w/research/search/?q=quay", timeout=10).text
    document = upload(admin, host(0), "tides.txt", b"The spring tide floods the lower quay twice a year. " * 20)
    wait_until(lambda: state(reader, host(1), document["doc_id"])["status"] == "ready", timeout=30)
    results = reader.get(f"{host(1)}/w/research/search/?q=quay", timeout=10)
    assert "tides.txt" in results.text
    assert "tides.txt" in admin.get(f"{host(0)}/w/research/search/?q=quay", timeout=10).text

    delete_url = f"{host(0)}/w/research/documents/{document['doc_id']}/delete/"
    token = csrf_from(admin, delete_url)
    deleted = admin.post(delete_url, data={"csrfmiddlewaretoken": token}, headers={"Referer": delete_url}, timeout=10)
    assert deleted.status_code in (200, 302)
    assert "tides.txt" not in reader.get(f"{host(1)}/w/research/search/?q=quay", timeout=10).text


def test_killing_the_worker_mid_ingestion_and_starting_another_finishes_the_document_cleanly(cluster):
    admin = requests.Session()
    sign_in(admin, host(0), "ada")
    big = " ".join(f"harbour{n % 5000}" for n in range(1_500_000)).encode()  # ~14 MB, ~9,400 passages
    document = upload(admin, host(0), "ledger.txt", big)
    wait_until(lambda: state(admin, host(1), document["doc_id"])["status"] in ("extracting", "indexing"),
               timeout=60, interval=0.05)
    os.killpg(cluster.worker.pid, signal.SIGKILL)
    cluster.worker.wait()
    assert state(admin, host(1), document["doc_id"])["status"] in ("extracting", "indexing")
    cluster.start_worker("worker-2")

    def finished():
        current = state(admin, host(0), document["doc_id"])
        return current if current["status"] in ("ready", "failed") else None

    final = wait_until(finished, timeout=STALE_SECONDS + 120)
    assert final["status"] == "ready"
    report = cluster.manage("shell", code=(
        "from django.db.models import Count\n"
        "from workspaces.models import DocumentPassage, WorkspaceDocument\n"
        f"d = WorkspaceDocument.objects.get(doc_id='{document['doc_id']}')\n"
        "dupes = d.passages.values('position').annotate(n=Count('pk')).filter(n__gt=1).count()\n"
        "orphans = DocumentPassage.objects.exclude(document__status='ready').count()\n"
        "print(d.passages.count(), d.metadata['passage_count'], dupes, orphans, d.attempts)\n"
        "print('|'.join(sorted(WorkspaceDocument.objects.values_list('docpath', flat=True))))"
    )).splitlines()
    passages, expected, duplicates, orphans, attempts = (int(value) for value in report[0].split())
    assert passages == expected > 9000 and duplicates == 0 and orphans == 0 and attempts == 2
    assert bucket_keys(cluster.endpoint, cluster.bucket) == report[1].split("|")
