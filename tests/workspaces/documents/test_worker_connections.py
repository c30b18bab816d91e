"""The ingestion worker keeps its database connection between tasks on SQLite too (issue 30: it
connected again for every document, 8 % of its time on 10-page PDFs)."""

import pytest
from django.conf import settings

from workspaces.management.commands.ingestion_worker import WORKER_CONN_MAX_AGE, connections_kept


@pytest.mark.parametrize(("engine", "max_age", "kept"), [
    ("django.db.backends.sqlite3", 0, WORKER_CONN_MAX_AGE),  # settings.py: one per request for SQLite
    ("django.db.backends.postgresql", 0, 0),  # CONN_MAX_AGE=0 set on purpose (a pooler): left as it is
    ("django.db.backends.postgresql", 60, 60),
])
def test_the_worker_keeps_its_connection_as_on_postgresql(monkeypatch, engine, max_age, kept):
    monkeypatch.setitem(settings.DATABASES, "default", {**settings.DATABASES["default"], "ENGINE": engine,
                                                        "CONN_MAX_AGE": max_age})
    connections_kept()
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == kept
