"""Issue 22: caches never outlive what they describe, across processes as deployed.

Each step is a separate `manage.py` process sharing one file cache (as a checkout's processes
share `.cache/django`, or a rolling deploy shares Redis) and one database: a SQLite file, or a
scratch database on the PostgreSQL server the suite runs on.
"""

import datetime
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import environ
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.middleware import has_users
from accounts.models import User
from config.cache_keys import FIRST_MIGRATION_SQL
from settings_app.registry import REGISTRY
from settings_app.services import setting_get, setting_set
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # real manage.py processes, earlier releases unpacked with git archive
# The release before semantic search (its settings had no embedding_provider), and main before issue 22.
PREVIOUS_RELEASES = ["c90cc53", "4481b46"]
# What an anonymous visitor sees of the first pages, and every setting, as one process reads them.
VISIT = """
import json
from django.test import Client
from settings_app.registry import REGISTRY
from settings_app.services import setting_get

def seen(path):
    response = Client().get(path)
    return {"answer": f"{response.status_code} {response.get('Location', '')}".strip(),
            "page": response.content.decode()}

pages = {path: seen(path) for path in ("/", "/login/", "/setup/")}
print(json.dumps({"pages": pages, "settings": {label: setting_get(label) for label in REGISTRY}}))
"""
SIGN_UP_AND_RENAME = """
from accounts.models import User
from settings_app.services import setting_set
User.objects.create_superuser("root", password="a-long-passphrase-1")
setting_set(label="custom_app_name", value="Acme Docs")
"""
RENAMED = {**{label: spec.default for label, spec in REGISTRY.items()}, "custom_app_name": "Acme Docs"}


class ScratchDatabase:
    """An empty database like the suite's (SQLite file or PostgreSQL database) that can be reset."""

    def __init__(self, folder: Path):
        suite_url = os.environ.get("DATABASE_URL", "")
        self.server = environ.Env.db_url_config(suite_url) if suite_url.startswith("postgres") else None
        if self.server:
            self.name = f"{self.server['NAME']}_cache_scratch"
            self.url = suite_url.rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.file = folder / "db.sqlite3"
            self.url = f"sqlite:///{self.file}"
        self.drop()

    def _server(self, statement: str) -> None:
        with psycopg.connect(
            host=self.server["HOST"], port=self.server["PORT"] or 5432, user=self.server["USER"],
            password=self.server["PASSWORD"] or None, dbname="postgres", autocommit=True,
        ) as connection:
            connection.execute(statement)

    def drop(self) -> None:
        if self.server:
            self._server(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._server(f'CREATE DATABASE "{self.name}"')
        else:
            for path in self.file.parent.glob(f"{self.file.name}*"):
                path.unlink()


@pytest.fixture
def database(tmp_path):
    scratch = ScratchDatabase(tmp_path)
    yield scratch
    if scratch.server:
        scratch._server(f'DROP DATABASE IF EXISTS "{scratch.name}" WITH (FORCE)')


@pytest.fixture
def environment(tmp_path, database):
    """One cache folder and one database for every process of the test."""
    return {
        **{key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")},
        "DEBUG": "1", "DATABASE_URL": database.url, "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "MEDIA_ROOT": str(tmp_path / "media"), "EMBEDDING_MODEL_URL": "",
    }


def manage(environment: dict, *args: str, checkout: Path = ROOT) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=checkout, env=environment, capture_output=True, text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {args[0]} in {checkout.name} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def visit(environment: dict, before: str = "", checkout: Path = ROOT) -> dict:
    """VISIT in one process of `checkout`, after running `before` there."""
    return json.loads(manage(environment, "shell", "-v0", "-c", before + VISIT, checkout=checkout))


@pytest.fixture
def previous_release(request, tmp_path) -> Path:
    """The source of an earlier release, unpacked beside the test (it runs with the suite's packages)."""
    commit = request.param
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True)
    # The test needs the release: a clone has it (CI clones main); a shallow copy must fetch it.
    assert archive.returncode == 0, f"release {commit} is not in this checkout's git history: git fetch --unshallow"
    folder = tmp_path / f"release-{commit}"
    folder.mkdir()
    tar_path = tmp_path / f"{commit}.tar"
    tar_path.write_bytes(archive.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(folder, filter="data")
    return folder


@pytest.mark.parametrize("previous_release", PREVIOUS_RELEASES, indirect=True)
def test_the_new_release_migrates_and_serves_over_the_cache_the_previous_release_filled(
    previous_release, environment
):
    manage(environment, "migrate", "-v0", checkout=previous_release)
    before = visit(environment, SIGN_UP_AND_RENAME, checkout=previous_release)
    assert before["pages"]["/"]["answer"].startswith("302 /login/")
    assert "Acme Docs" in before["pages"]["/login/"]["page"]

    manage(environment, "migrate", "-v0")
    after = visit(environment)

    assert after["pages"]["/"]["answer"].startswith("302 /login/")
    assert after["pages"]["/login/"]["answer"] == "200"
    assert "Acme Docs" in after["pages"]["/login/"]["page"]
    assert after["settings"] == RENAMED


def test_a_database_reset_under_a_kept_cache_leads_to_first_run_setup(environment, database):
    manage(environment, "migrate", "-v0")
    before = visit(environment, SIGN_UP_AND_RENAME)
    assert before["pages"]["/"]["answer"].startswith("302 /login/")
    assert before["settings"] == RENAMED

    database.drop()
    manage(environment, "migrate", "-v0")
    after = visit(environment)

    assert after["pages"]["/"]["answer"] == "302 /setup/"
    assert after["pages"]["/setup/"]["answer"] == "200"
    assert "Acme Docs" not in after["pages"]["/setup/"]["page"]
    assert after["settings"] == {label: spec.default for label, spec in REGISTRY.items()}


@pytest.mark.django_db(transaction=True)
def test_a_process_that_outlives_a_database_reset_reads_the_new_database_with_its_next_connection():
    """A development server keeps running while its SQLite file is deleted and migrated again."""
    UserFactory()
    assert has_users()
    with connection.cursor() as cursor:
        cursor.execute(FIRST_MIGRATION_SQL)
        (first,) = cursor.fetchone()
    try:
        User.objects.all().delete()  # the new database: migrated later than the first, with nobody in it
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET applied = %s WHERE applied = %s",
                           [datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC), first])
        connection.close()

        assert not has_users()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET applied = %s WHERE applied = %s",
                           [first, datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)])


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_leads_to_first_run_setup_again(client):
    UserFactory()
    assert client.get("/")["Location"].startswith("/login/")

    call_command("flush", interactive=False, verbosity=0)

    assert client.get("/")["Location"] == "/setup/"


@pytest.mark.django_db(transaction=True)
def test_a_restore_shows_the_restored_settings_at_once(tmp_path):
    UserFactory()
    setting_set(label="custom_app_name", value="Acme Docs")
    call_command("backup", str(tmp_path / "docent.tar.gz"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert setting_get("custom_app_name") == "Docent"

    call_command("restore", str(tmp_path / "docent.tar.gz"), verbosity=0)

    assert setting_get("custom_app_name") == "Acme Docs"
