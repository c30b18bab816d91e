"""Passages already there are embedded in the background by themselves, in bounded runs that
queue the next, once a model is available; until then searches stay lexical."""

import pytest
from django.core.cache import cache

from settings_app.services import setting_get, setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.llm_server import fake_llm_server  # noqa: F401
from tests.llm_server_embeddings import embeddings_served_by
from workspaces.models import PassageVector
from workspaces.retrieval import backfill
from workspaces.retrieval.backfill import LEASE_KEY, vectors_backfill_enqueue, vectors_backfill_run
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(workspace):
    """Three documents of two passages each, none embedded."""
    for number in range(3):
        document = WorkspaceDocumentFactory(workspace=workspace, filename=f"doc{number}.txt")
        DocumentPassageFactory(document=document, position=1, text=f"Annual leave rules, part {number}.")
        DocumentPassageFactory(document=document, position=2, text=f"Expense reports, part {number}.")
    cache.delete(LEASE_KEY)
    return workspace


@pytest.fixture
def embedding_server(llm_server):
    embeddings_served_by(llm_server.base_url)
    return llm_server


def test_a_fresh_install_chooses_the_local_model_and_stays_lexical_until_its_files_are_there(library):
    assert setting_get("embedding_provider") == "local"
    assert vectors_backfill_run() == (0, False)  # no files, downloading forbidden in tests: waits
    assert PassageVector.objects.count() == 0
    assert search_passages(workspace=library, query="annual leave")[0].semantic is None


def test_a_run_embeds_whole_documents_up_to_its_bound_and_says_what_is_left(library, embedding_server):
    assert vectors_backfill_run(limit=3) == (4, True)  # two documents: the bound is checked between documents
    assert vectors_backfill_run(limit=3) == (2, False)
    assert PassageVector.objects.filter(model="openai-compatible:fake-embedder").count() == 6
    assert vectors_backfill_run() == (0, False)


def test_one_enqueue_embeds_everything_in_runs_that_queue_the_next(library, embedding_server, monkeypatch):
    monkeypatch.setattr(backfill, "BACKFILL_PASSAGES", 2)
    runs = []

    def counted(**kwargs):
        runs.append(vectors_backfill_run(**kwargs))
        return runs[-1]

    monkeypatch.setattr(backfill, "vectors_backfill_run", counted)
    assert vectors_backfill_enqueue() is True  # the test task backend runs each task at once
    assert runs == [(2, True), (2, True), (2, False)]
    assert PassageVector.objects.count() == 6
    cache.delete(LEASE_KEY)  # as when the last run's lease has expired
    assert vectors_backfill_enqueue() is False  # nothing left to embed
    assert search_passages(workspace=library, query="annual leave")[0].semantic is not None


def test_a_run_that_could_not_embed_holds_its_lease_so_the_next_sweeps_do_not_queue_again(library):
    assert vectors_backfill_enqueue() is True  # local model, no files: the run waits
    assert PassageVector.objects.count() == 0
    assert vectors_backfill_enqueue() is False


def test_nothing_is_queued_with_the_provider_none(library):
    setting_set(label="embedding_provider", value="none")
    assert vectors_backfill_enqueue() is False
