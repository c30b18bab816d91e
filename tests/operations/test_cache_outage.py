"""Issue 11: with CACHE_URL pointing at a Redis nobody answers on, Docent keeps working:
every page and sign-in, from the database, the failure logged once, /healthz saying so."""

import logging

import environ
import pytest
from django.core.cache import cache

from settings_app.services import setting_get, setting_set
from tests.factories import DEFAULT_PASSWORD
from tests.ports import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis(settings, monkeypatch):
    # Through the same path as production: CACHE_URL read by django-environ, then settings.py's mapping.
    url = f"redis://127.0.0.1:{free_port()}/11"
    monkeypatch.setenv("CACHE_URL", url)
    caches = {"default": environ.Env().cache("CACHE_URL")}
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    caches["default"]["BACKEND"] = "config.cache.ResilientRedisCache"
    caches["default"]["KEY_FUNCTION"] = "config.cache_keys.database_scoped_key"
    settings.CACHES = caches
    return url


@pytest.mark.parametrize(
    "session_engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_every_page_and_sign_in_work_with_the_cache_down_and_the_failure_is_logged_once(
    client, user, workspace, dead_redis, caplog, settings, session_engine
):
    settings.SESSION_ENGINE = session_engine  # cached_db: the production recipe's sessions
    caplog.set_level(logging.ERROR, logger="config.cache")
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    for url in ("/", workspace.get_absolute_url(), f"{workspace.get_absolute_url()}search/?q=notes",
                f"{workspace.get_absolute_url()}chat/", "/account/"):
        assert client.get(url).status_code == 200, url
    assert client.post("/logout/").status_code == 302
    assert client.post("/admin/login/", {"username": "mia", "password": "wrong-wrong-1"}).status_code == 200
    failures = [record for record in caplog.records if record.name == "config.cache"]
    assert len(failures) == 1
    assert "Cache unavailable" in failures[0].getMessage()


def test_settings_are_read_from_the_database_while_the_cache_is_down(dead_redis):
    setting_set(label="custom_app_name", value="Docent Outage Edition")
    assert setting_get("custom_app_name") == "Docent Outage Edition"
    assert cache.get("anything", "missing") == "missing"
    assert cache.set("anything", 1) is None and cache.add("anything", 1) is False


def test_healthz_says_the_cache_is_down_and_stays_200_because_pages_still_work(client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok", "cache": "down"}
