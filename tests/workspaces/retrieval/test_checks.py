"""The system check and the Language model page say which path semantic search takes."""

import html

import pytest
from django.db import connection

from settings_app.services import setting_set
from tests.llm_server import fake_llm_server  # noqa: F401
from tests.llm_server_embeddings import embeddings_served_by
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


def test_the_language_model_page_says_which_search_path_runs(admin_client, llm_server, workspace):
    """With an embedding server: hybrid, the path this database takes, and how much is embedded."""
    from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
    from workspaces.retrieval.checks import PATH_NAMES
    from workspaces.retrieval.services import passages_embed

    embeddings_served_by(llm_server.base_url)
    document = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=document, position=1, text="Annual leave is 25 days.")
    DocumentPassageFactory(document=document, position=2, text="Expenses are due monthly.")
    passages_embed(document=document)
    page = admin_client.get("/admin/language-model/").content.decode()
    path = "pgvector" if pgvector_ready() else "numpy"
    assert f"nearest vectors by {PATH_NAMES[path]}; 2 of 2 passages embedded." in html.unescape(page)
    assert "Search: hybrid (BM25 + openai-compatible:fake-embedder)" in html.unescape(page)


def test_the_status_line_says_lexical_until_the_local_model_is_there():
    setting_set(label="embedding_provider", value="local")  # no files, downloading forbidden in tests
    assert retrieval_status().startswith("Search: lexical (BM25) until the embedding model is ready:")
