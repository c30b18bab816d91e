"""The system check and the Language model page say which path semantic search takes."""

import pytest
from django.db import connection

from settings_app.services import setting_set
from workspaces.retrieval.checks import (
    PATH_NUMPY_POSTGRESQL,
    STATUS_LEXICAL,
    pgvector_check,
    retrieval_status,
)
from workspaces.retrieval.vectors import pgvector_ready

pytestmark = pytest.mark.django_db


def test_the_check_names_the_numpy_path_only_on_postgresql_without_pgvector_when_a_provider_is_set():
    setting_set(label="embedding_provider", value="none")
    assert pgvector_check() == []  # embedding_provider is none: nothing to say
    setting_set(label="embedding_provider", value="local")
    messages = pgvector_check()
    if connection.vendor == "postgresql" and not pgvector_ready():
        assert [message.msg for message in messages] == [PATH_NUMPY_POSTGRESQL]
        assert messages[0].id == "retrieval.I001"
    else:
        assert messages == []


def test_the_status_line_says_lexical_when_the_provider_is_none():
    setting_set(label="embedding_provider", value="none")
    assert retrieval_status() == STATUS_LEXICAL
