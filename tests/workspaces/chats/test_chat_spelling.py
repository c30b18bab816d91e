import pytest

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.workspaces.chats.asking import ask, chat_url
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.answering import NO_ANSWER
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

PASSWORD_SENTENCE = "Reset your password on the account page under Security."


@pytest.fixture
def handbook(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.md")
    DocumentPassageFactory(document=document, position=1, text=PASSWORD_SENTENCE)
    DocumentPassageFactory(document=document, position=2, text="Lunch is served from noon in the canteen.")
    return document


def test_a_misspelt_question_is_answered_with_the_corrected_words_and_says_so(member_client, workspace, handbook):
    ask(member_client, workspace, "How do I reset my pasword?")
    chat = WorkspaceChat.objects.get()
    assert PASSWORD_SENTENCE in chat.response["text"]
    assert chat.response["corrected_prompt"] == "How do I reset my password?"
    page = member_client.get(chat_url(workspace)).content.decode()
    assert "answered for “How do I reset my password?”" in page


def test_a_question_asked_as_written_carries_no_correction(member_client, workspace, handbook):
    ask(member_client, workspace, "How do I reset my password?")
    chat = WorkspaceChat.objects.get()
    assert "corrected_prompt" not in chat.response
    assert "answered for" not in member_client.get(chat_url(workspace)).content.decode()


def test_an_unrelated_question_with_no_near_word_is_still_refused(member_client, workspace, handbook):
    ask(member_client, workspace, "Who painted the Mona Lisa?")
    chat = WorkspaceChat.objects.get()
    assert chat.response["text"] == NO_ANSWER and "corrected_prompt" not in chat.response


def test_an_old_answer_without_the_field_reads_as_uncorrected():
    assert StoredAnswer.from_json({"text": "x"}).corrected_prompt == ""


def test_the_streamed_answer_ends_with_the_note_of_the_corrected_question(member_client, workspace, handbook):
    from tests.workspaces.chats.test_streaming import events, stream

    received = list(events(stream(member_client, workspace, "How do I reset my pasword?").streaming_content))
    name, data = received[-1]
    assert name == "end" and "answered for “How do I reset my password?”" in data["html"]
