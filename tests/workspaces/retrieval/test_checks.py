"""The system check says when semantic search cannot run on PostgreSQL for want of pgvector."""

import pytest
from django.db import connection

from settings_app.services import setting_set
from workspaces.retrieval.checks import PGVECTOR_MISSING, pgvector_check
from workspaces.retrieval.vectors import pgvector_ready

pytestmark = pytest.mark.django_db


def test_the_check_warns_only_on_postgresql_without_pgvector_when_an_embedding_provider_is_set():
    assert pgvector_check() == []  # embedding_provider is none: nothing to say
    setting_set(label="embedding_provider", value="local")
    messages = pgvector_check()
    if connection.vendor == "postgresql" and not pgvector_ready():
        assert [message.msg for message in messages] == [PGVECTOR_MISSING]
        assert messages[0].id == "retrieval.W001"
    else:
        assert messages == []
