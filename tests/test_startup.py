"""The app refuses to serve without SECRET_KEY, yet schema commands still run."""

import os
import subprocess
import sys
from pathlib import Path

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
