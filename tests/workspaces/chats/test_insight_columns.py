"""An answer records what Insights counts: refused (it cites no document), the best passage's relevance, its time."""

import pytest

from tests.workspaces.chats.asking import ask
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def test_an_answer_from_the_documents_records_its_relevance_and_time(member_client, workspace, manual):
    ask(member_client, workspace, "Does the warranty cover water damage?")
    chat = WorkspaceChat.objects.get()
    assert not chat.refused
    assert workspace.similarity_threshold <= chat.relevance <= 1
    assert chat.answer_ms is not None and chat.answer_ms == chat.response["timings"]["total_ms"]


def test_a_question_no_document_answers_is_recorded_as_refused(member_client, workspace, manual):
    ask(member_client, workspace, "Who painted the Mona Lisa?")
    chat = WorkspaceChat.objects.get()
    assert chat.refused and chat.relevance is None
