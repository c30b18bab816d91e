"""A citation names the page of the sentence it quotes, not its passage's whole range of pages."""

import pytest
from django.core.files.base import ContentFile

from settings_app.services import setting_set
from tests.llm_server import fake_llm_server  # noqa: F401  (the llm_server fixture)
from tests.workspaces.chats.asking import ask, chat_url
from tests.workspaces.documents.sample_files import pdf_lines_bytes
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.citation_pages import cited_sentences
from workspaces.documents.services import document_ingest
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def three_page_memo() -> bytes:
    """Three short pages with no headings: one passage, pp. 1–3."""
    return pdf_lines_bytes([
        [(12, "This memo explains how the office works for everyone who joins the team.")],
        [(12, "Full-time staff receive twenty-eight days of annual leave each year.")],
        [(12, "Travel costs are refunded within thirty days of a complete claim.")],
    ])


@pytest.fixture
def memo(workspace):
    document = document_ingest(
        workspace=workspace, uploaded_file=ContentFile(three_page_memo(), name="memo.pdf"), filename="memo.pdf"
    )
    passage = document.passages.get()
    assert (passage.page_start, passage.page_end) == (1, 3)
    return document


def test_a_built_in_answer_quoting_page_two_of_a_three_page_passage_cites_page_two(member_client, workspace, memo):
    ask(member_client, workspace, "How many days of annual leave do full-time staff receive?")
    (source,) = WorkspaceChat.objects.get().answer.sources
    assert (source.page_start, source.page_end, source.page) == (1, 3, 2)
    assert source.label == "memo.pdf, p. 2"
    page = member_client.get(chat_url(workspace)).content.decode()
    assert 'memo.pdf</a><span class="muted">, p. 2</span>' in page
    assert "pp. 1–3" not in page


def test_a_model_answer_cites_the_page_of_the_sentence_that_carries_the_citation(
    member_client, workspace, memo, llm_server
):
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="local-model")
    ask(member_client, workspace, "Travel costs refunded: within how many days of a claim?")
    chat = WorkspaceChat.objects.get()
    assert chat.answer.text.endswith("[1]")
    assert chat.answer.sources[0].label == "memo.pdf, p. 3"


def test_the_sentence_of_a_citation_is_the_one_that_carries_it():
    text = "From your documents:\n\n> Staff get **28 days**. [1]\n\nClaims take a month [2][1]. Nothing else."
    assert cited_sentences(text) == {1: ["Staff get 28 days.", "Claims take a month."], 2: ["Claims take a month."]}


def test_an_answer_stored_before_cited_pages_names_the_passages_range():
    answer = StoredAnswer.from_json(
        {"sources": [{"doc_id": "x", "filename": "memo.pdf", "position": 1, "page_start": 1, "page_end": 3}]}
    )
    assert answer.sources[0].label == "memo.pdf, pp. 1–3"
    assert StoredAnswer.from_json(answer.as_json()) == answer
