"""Semantic search through the OpenAI-compatible provider (a real HTTP server), and the hybrid blend."""

import pytest

from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, document_with_passages
from tests.llm_server import Behaviour, fake_llm_server  # noqa: F401
from tests.llm_server_embeddings import EMBEDDING_DIMENSIONS, embeddings_served_by
from workspaces.models import PassageVector
from workspaces.retrieval import vectors
from workspaces.retrieval.embeddings import EmbeddingError, embed
from workspaces.retrieval.search import blend, search_passages
from workspaces.retrieval.services import passages_embed

pytestmark = pytest.mark.django_db


@pytest.fixture
def semantic(llm_server):
    embeddings_served_by(llm_server.base_url)
    return llm_server


def assert_found_by_meaning(hits):
    """"holiday allowance" finds the leave passage by meaning alone, on every database (PostgreSQL
    without pgvector searches the vectors in numpy, as SQLite does)."""
    assert hits[0].position == 1 and hits[0].semantic > 0.3


@pytest.fixture
def handbook(workspace):
    document, _ = document_with_passages(workspace, "handbook.md", [
        "Annual leave: every employee has 25 days of leave per year.",
        "Expense reports are due on the fifth working day of each month.",
        "The car park behind the office is free for staff.",
    ])
    return document


def test_the_openai_compatible_provider_returns_one_unit_vector_per_text(semantic):
    vectors = embed(["annual leave", "expense reports", "car park"])
    assert vectors.shape == (3, EMBEDDING_DIMENSIONS)
    assert [round(float((v * v).sum()), 5) for v in vectors] == [1.0, 1.0, 1.0]
    request = semantic.requests[-1]
    assert request.path == "/v1/embeddings" and request.body["model"] == "fake-embedder"


def test_a_failing_embedding_server_is_a_clear_error_and_search_stays_lexical(semantic, workspace, handbook):
    semantic.behaviour = Behaviour.SERVER_ERROR
    with pytest.raises(EmbeddingError):
        embed(["anything"])
    hits = search_passages(workspace=workspace, query="expense reports")
    assert [hit.position for hit in hits] == [2]


def test_passages_are_embedded_once_with_their_model_and_again_only_when_their_text_changes(semantic, handbook):
    assert passages_embed(document=handbook) == 3
    assert set(PassageVector.objects.values_list("model", "dimensions")) == {
        ("openai-compatible:fake-embedder", EMBEDDING_DIMENSIONS)
    }
    assert passages_embed(document=handbook) == 0
    passage = handbook.passages.get(position=2)
    passage.text = "Expense reports are due on the tenth."
    passage.save()
    assert passages_embed(document=handbook) == 1


def test_hybrid_search_finds_a_passage_by_meaning_that_shares_no_word_with_the_question(
    semantic, workspace, handbook
):
    passages_embed(document=handbook)
    workspace.semantic_weight = 0.0
    workspace.save()
    assert search_passages(workspace=workspace, query="vacation days per year")[0].position == 1  # "year", "days"
    lexical_only = search_passages(workspace=workspace, query="holiday")
    assert lexical_only == []
    workspace.semantic_weight = 0.5
    workspace.save()
    hits = search_passages(workspace=workspace, query="holiday allowance")
    assert_found_by_meaning(hits)


def test_a_query_never_compares_vectors_of_another_model(semantic, workspace, handbook):
    passages_embed(document=handbook)
    setting_set(label="embedding_model", value="another-model")
    hits = search_passages(workspace=workspace, query="annual leave holiday")
    assert [hit.position for hit in hits] == [1] and hits[0].semantic is None


def test_the_blend_normalises_each_score_and_weighs_them():
    lexical = {1: 10.0, 2: 5.0, 3: 0.0}
    semantic = {2: 0.9, 3: 0.5, 4: 0.1}
    blended = blend(lexical, semantic, weight=0.5)
    assert blended[1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)  # best words, no vector: lowest cosine
    assert blended[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert blended[4] == pytest.approx(0.0)
    assert blend(lexical, semantic, weight=0.0)[1] == pytest.approx(1.0)
    assert blend(lexical, semantic, weight=1.0)[2] == pytest.approx(1.0)


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_finds_passages_by_meaning_again(semantic, workspace, handbook, tmp_path):
    from django.core.management import call_command

    from tests.factories import UserFactory

    UserFactory(username="keeper")
    passages_embed(document=handbook)
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(archive), verbosity=0)
    assert PassageVector.objects.count() == 3
    hits = search_passages(workspace=workspace, query="holiday allowance")
    assert_found_by_meaning(hits)


def test_relevance_counts_a_cosine_of_0_8_or_more_as_fully_relevant(semantic, workspace, handbook):
    """No word of "holiday allowance" is in the handbook: the relevance the threshold is compared
    with is the semantic half alone, the cosine scaled so that 0.8 would be a full match."""
    from workspaces.retrieval.search import COSINE_FULL

    passages_embed(document=handbook)
    hits = search_passages(workspace=workspace, query="holiday allowance")
    assert COSINE_FULL == 0.8 and hits
    for hit in hits:
        assert hit.relevance == pytest.approx(0.5 * min(1.0, max(hit.semantic, 0.0) / 0.8), abs=1e-4)


@pytest.mark.django_db(transaction=True)
def test_the_semantic_half_found_beside_the_lexical_one_gives_the_same_hits(semantic, workspace, handbook):
    """Outside a transaction (a page request) the query's nearest passages are found in a pool
    thread with its own database connection; inside one (here forced) inline: same hits."""
    import threading

    from django.db import transaction

    from workspaces.retrieval import semantic as semantic_half

    passages_embed(document=handbook)
    queries = ["holiday allowance", "expense reports", "car park staff", "annual leave"]
    beside = [search_passages(workspace=workspace, query=query) for query in queries]
    with transaction.atomic():
        inline = [search_passages(workspace=workspace, query=query) for query in queries]
    assert beside == inline
    assert any(thread.name.startswith("docent-semantic") for thread in threading.enumerate())
    slots = semantic_half._FREE  # every pool thread was handed back
    assert all(slots.acquire(blocking=False) for _ in range(semantic_half.THREADS))
    for _ in range(semantic_half.THREADS):
        slots.release()
    assert_found_by_meaning(beside[0])


def test_a_workspace_above_the_exact_limit_is_still_searched_by_meaning(
    semantic, workspace, handbook, monkeypatch
):
    """Where vectors are searched in numpy (SQLite, PostgreSQL without pgvector), the two-step
    scan runs above EXACT_SCAN_LIMIT (here 0: the search's 40 candidates are then every vector;
    test_vectors.py checks the shortlist); on PostgreSQL with pgvector this is pgvector's search."""
    monkeypatch.setattr(vectors, "EXACT_SCAN_LIMIT", 0)
    other = WorkspaceDocumentFactory(workspace=workspace, filename="notes.md")
    for position in range(1, 6):
        DocumentPassageFactory(document=other, position=position, text=f"Meeting note {position} on printers.")
    passages_embed(document=handbook)
    passages_embed(document=other)
    assert_found_by_meaning(search_passages(workspace=workspace, query="holiday allowance"))
