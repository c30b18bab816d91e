"""Reranking through a real HTTP `/rerank` server (tests/rerank_server.py): off by default, it
orders the best hits again, in either answer shape, and a failing server changes nothing."""

import pytest

from settings_app.services import setting_get, setting_set
from tests.factories import document_with_passages
from tests.rerank_server import fake_rerank_server  # noqa: F401
from workspaces.retrieval.rerank import MESSAGE_MALFORMED, RerankError, scores_read
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(workspace):
    _, passages = document_with_passages(workspace, "notes.txt", [
        "Invoice rules: every invoice needs a number, and an invoice without one is refused.",
        "The invoice for the printer was paid by the finance team in March.",
        "Invoices from abroad are checked by finance once a month.",
    ])
    return [passage.pk for passage in passages]


@pytest.fixture
def reranking(rerank_server, settings):
    setting_set(label="rerank_provider", value="http")
    setting_set(label="rerank_base_url", value=rerank_server.base_url)
    setting_set(label="rerank_model", value="fake-cross-encoder")
    settings.RERANK_API_KEY = "rerank-secret"
    return rerank_server


def ids(workspace, query="invoice"):
    return [hit.passage_id for hit in search_passages(workspace=workspace, query=query, limit=10)]


def test_reranking_is_off_by_default_and_the_order_is_bm25s(workspace, notes, rerank_server):
    assert setting_get("rerank_provider") == "none"
    assert sorted(ids(workspace)) == sorted(notes)
    assert ids(workspace)[-1] == notes[1]  # the printer passage says "invoice" once, in a longer text
    assert rerank_server.requests == []


@pytest.mark.parametrize("shape", ["cohere", "tei"])
def test_the_reranker_puts_its_favourite_first_in_either_answer_shape(workspace, notes, reranking, shape):
    reranking.shape, reranking.favourite = shape, "printer"
    found = ids(workspace)
    assert found[0] == notes[1] and sorted(found) == sorted(notes)
    sent = reranking.requests[-1]
    assert sent["path"] == "/rerank"
    assert sent["body"]["query"] == "invoice" and sent["body"]["model"] == "fake-cross-encoder"
    assert sent["body"]["documents"] == sent["body"]["texts"] and len(sent["body"]["documents"]) == 3
    assert sent["authorization"] == "Bearer rerank-secret"


def test_a_failing_reranker_leaves_the_order_as_it_was(workspace, notes, reranking):
    reranking.favourite, reranking.status = "printer", 500
    failed = ids(workspace)
    assert len(reranking.requests) == 1
    setting_set(label="rerank_provider", value="none")
    assert failed == ids(workspace)


def test_an_answer_missing_a_score_is_refused():
    with pytest.raises(RerankError, match=MESSAGE_MALFORMED):
        scores_read({"results": [{"index": 0, "relevance_score": 0.5}]}, 2)
    with pytest.raises(RerankError, match=MESSAGE_MALFORMED):
        scores_read([{"index": 0, "score": 1}, {"index": 0, "score": 2}], 2)
    assert scores_read([{"index": 1, "score": 1}, {"index": 0, "score": 2}], 2) == [2.0, 1.0]
