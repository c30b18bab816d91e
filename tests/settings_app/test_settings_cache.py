"""Issue 22: a settings value cached by another version of Docent is never trusted.

The cache (a file in the checkout, or a Redis shared by a rolling deploy) outlives the code
that wrote it; a reader that finds another shape rebuilds it from the database."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from settings_app.registry import REGISTRY
from settings_app.services import CACHE_KEY, setting_get, setting_set

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_CACHE_KEY = "settings_app:values:v1"


def previous_release_values() -> dict:
    """What a release from before semantic search cached: every label it knew, typed."""
    return {label: spec.default for label, spec in REGISTRY.items() if not label.startswith("embedding_")}


def test_a_settings_dict_of_the_previous_release_under_its_key_is_not_trusted():
    setting_set(label="custom_app_name", value="Acme Docs")
    cache.set(PREVIOUS_CACHE_KEY, {**previous_release_values(), "custom_app_name": "Stale"}, timeout=300)

    assert {label: setting_get(label) for label in REGISTRY} == {
        **{label: spec.default for label, spec in REGISTRY.items()}, "custom_app_name": "Acme Docs",
    }
    call_command("migrate", verbosity=0)


def test_a_cached_settings_dict_missing_a_label_is_rebuilt_not_a_key_error():
    cache.set(CACHE_KEY, previous_release_values(), timeout=300)

    assert setting_get("embedding_provider") == "local"  # the default
    call_command("migrate", verbosity=0)


@pytest.mark.parametrize("cached", [None, "values", ["custom_app_name"], 42])
def test_a_cached_settings_value_of_another_type_is_rebuilt(cached):
    cache.set(CACHE_KEY, cached, timeout=300)

    assert setting_get("custom_app_name") == "Docent"


def test_every_process_of_one_release_caches_the_settings_under_one_key():
    """A setting changed in one process deletes the entry every other process reads."""
    code = "import django; django.setup(); from settings_app.services import CACHE_KEY; print(CACHE_KEY)"
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert other.stdout.strip() == CACHE_KEY, other.stderr


def test_within_a_request_the_settings_are_read_from_the_cache_once_and_a_change_is_seen_at_once():
    from unittest import mock

    from settings_app import services

    services.settings_request_started()  # what request_started calls (settings_app.apps)
    try:
        with mock.patch.object(services.cache, "get", wraps=services.cache.get) as read:
            first = setting_get("custom_app_name")
            setting_get("max_prompt_chars")
            assert setting_get("custom_app_name") == first and read.call_count <= 1
        setting_set(label="custom_app_name", value="Renamed")  # in the same request: seen at once
        assert setting_get("custom_app_name") == "Renamed"
    finally:
        services.settings_request_finished()
    cache.set(CACHE_KEY, {**services.settings_all(), "custom_app_name": "From another worker"}, timeout=300)
    assert setting_get("custom_app_name") == "From another worker"  # outside a request: the cache each time
