"""The app refuses to serve without SECRET_KEY, yet schema commands still run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts Python processes

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_serving_without_a_secret_key_refuses_to_start():
    result = run("-c", "import config.wsgi")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_makemigrations_check_runs_without_a_secret_key():
    result = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_without_cache_url_every_process_of_the_checkout_shares_one_file_cache():
    """The web server and the ingestion worker are separate processes: a memory cache each would
    hide a settings change or new passage vectors from the other."""
    env = {key: value for key, value in os.environ.items() if key != "CACHE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == [
        "django.core.cache.backends.filebased.FileBasedCache", str(ROOT / ".cache" / "django")
    ], result.stderr


def test_a_web_process_loads_no_document_parser():
    """Issue 30: a web process reads no file, yet every gunicorn worker held python-pptx, lxml and
    Pillow (and, where a development install has them, httpx's command-line client: click, rich),
    about 15 MiB each. The ingestion worker loads the parsers before its first extraction."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
           "SECRET_KEY": "test-only-secret-key-not-for-production", "ALLOWED_HOSTS": "testserver"}
    parsers = ("pptx", "lxml", "PIL", "pypdf", "openpyxl", "pdfplumber", "pypdfium2", "ebooklib", "click", "rich")
    code = f"import sys, config.wsgi; print(*[m for m in {parsers!r} if sys.modules.get(m)] or ['none'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["none"], result.stderr
