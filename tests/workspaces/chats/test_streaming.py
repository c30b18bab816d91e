"""Streamed answers, against the fake model server streaming Server-Sent Events on 127.0.0.1."""

import json
import time

import pytest
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from settings_app.services import setting_set
from tests.factories import (
    ChatThreadFactory,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceUserFactory,
)
from tests.llm_server import Behaviour, fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces.chats import llm, llm_stream
from workspaces.chats.services import STOPPED_REASON
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

PROMPT = "How long does the warranty cover water damage?"



def stream(client, workspace, prompt=PROMPT):
    return client.post(f"/w/{workspace.slug}/chat/stream/", {"prompt": prompt})


def events(chunks):
    """(name, data) for each Server-Sent Event in the streamed bytes."""
    for chunk in chunks:
        for block in chunk.decode().split("\n\n"):
            if block.strip():
                lines = dict(line.split(": ", 1) for line in block.splitlines())
                yield lines["event"], json.loads(lines["data"])


def hang_up(response):
    """What the WSGI server does when the browser's socket is gone: close the response early.
    The test client wraps the stream in an iterator that closes the response as a WSGI server
    would (keeping the test's database connection): close that one."""
    response._iterator.close()


def completion_stream(server, **overrides):
    options = {"base_url": server.base_url, "model": "local-model", "idle_timeout": 1.0, "total_timeout": 10.0,
               "messages": [{"role": "user", "content": "one two three four five six"}]}
    return llm_stream.CompletionStream(**{**options, **overrides})


def test_the_client_yields_the_tokens_as_the_server_streams_them_and_records_usage(llm_server):
    completion = completion_stream(llm_server)
    tokens = list(completion)
    assert "".join(tokens) == "Answer from local-model: one two three four five six"
    assert len(tokens) == 9  # one chunk per word, as the server sent them
    assert completion.usage == {"prompt_tokens": 6, "completion_tokens": 9, "total_tokens": 15}
    assert completion.model == "local-model" and completion.first_token_ms is not None
    sent = llm_server.requests[-1].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (Behaviour.STREAM_ERROR, llm_stream.MESSAGE_STREAM_ERROR.format(detail="The model overloaded.")),
        (Behaviour.STREAM_STALL, llm_stream.MESSAGE_STALLED),
        (Behaviour.STREAM_CUT, llm_stream.MESSAGE_CUT_OFF),
    ],
)
def test_a_stream_that_fails_midway_raises_the_reason_and_keeps_what_arrived(llm_server, behaviour, message):
    llm_server.behaviour = behaviour
    completion = completion_stream(llm_server)
    received = []
    with pytest.raises(llm.LLMError) as failure:
        for token in completion:
            received.append(token)
    assert failure.value.message == message
    assert completion.delivered == "".join(received) == "Answer from local-model:"


def test_the_page_streams_start_tokens_and_end_with_the_citations(member_client, workspace, configured):
    response = stream(member_client, workspace)
    assert response.streaming and response["Content-Type"].startswith("text/event-stream")
    assert response["X-Accel-Buffering"] == "no" and not response.has_header("Content-Length")
    received = list(events(response.streaming_content))
    names = [name for name, _ in received]
    assert names[0] == "start" and names[-1] == "end" and names.count("token") > 5
    text = "".join(data["text"] for name, data in received if name == "token")
    assert text.startswith("Answer from local-model: How long does the warranty") and text.endswith("[1]")
    end = received[-1][1]
    assert end["state"] == "complete"
    assert 'class="cite"' in end["html"] and "manual.pdf" in end["html"]

    chat = WorkspaceChat.objects.get()
    assert chat.pk == received[0][1]["id"]
    assert (chat.state, chat.answer.text) == ("complete", text)
    assert chat.prompt_tokens > 0 and chat.completion_tokens == names.count("token")
    assert {"first_token_ms", "total_ms", "retrieval_ms"} <= set(chat.answer.timings)


def test_the_built_in_provider_streams_its_answer_through_the_same_path(member_client, workspace, configured):
    setting_set(label="chat_provider", value="retrieval")
    received = list(events(stream(member_client, workspace).streaming_content))
    assert [name for name, _ in received] == ["start", "token", "end"]
    assert received[1][1]["text"].startswith("From your documents:")
    assert WorkspaceChat.objects.get().state == "complete"


def test_the_question_is_stored_as_answering_before_the_model_is_called(member_client, workspace, configured):
    chunks = stream(member_client, workspace).streaming_content
    name, data = next(events([next(chunks)]))
    assert name == "start"
    chat = WorkspaceChat.objects.get(pk=data["id"])
    assert (chat.state, chat.prompt) == ("answering", PROMPT)
    assert configured.requests == []  # the model server has not been asked yet
    list(chunks)
    chat.refresh_from_db()
    assert chat.state == "complete"


def test_a_failure_mid_stream_is_stored_with_the_partial_text_and_the_reason(member_client, workspace, configured):
    configured.behaviour = Behaviour.STREAM_ERROR
    received = list(events(stream(member_client, workspace).streaming_content))
    assert received[-1][1]["state"] == "failed"
    assert "The model overloaded." in received[-1][1]["html"]
    chat = WorkspaceChat.objects.get()
    assert chat.state == "failed"
    assert chat.answer.text == "Answer from local-model:"
    assert chat.answer.reason == llm_stream.MESSAGE_STREAM_ERROR.format(detail="The model overloaded.")


def test_a_browser_that_disconnects_leaves_the_answer_stored_as_stopped_with_its_partial_text(
    member_client, workspace, configured
):
    """Docent's choice: a stream the browser leaves (Stop, a closed tab) ends there; the model
    server is hung up on, and the chat keeps what had arrived, marked stopped."""
    configured.token_seconds = 0.05
    configured.stream_words = 40
    response = stream(member_client, workspace)
    chunks = response.streaming_content
    names = [next(events([next(chunks)]))[0] for _ in range(3)]
    assert names == ["start", "token", "token"]
    hang_up(response)

    chat = WorkspaceChat.objects.get()
    assert chat.state == "stopped" and chat.answer.reason == STOPPED_REASON
    assert chat.answer.text == "Answer from"
    deadline = time.monotonic() + 3
    while configured.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert configured.disconnects == 1  # the model server stopped generating too


def test_questions_in_flight_count_against_the_limit_so_the_model_is_not_called_beyond_it(
    member_client, workspace, configured, settings
):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 1
    first = iter(stream(member_client, workspace).streaming_content)
    next(first)  # stored, still answering
    second = stream(member_client, workspace)
    assert second.status_code == 429
    assert "1 questions a minute" in second.json()["error"]
    list(first)
    assert len(configured.requests) == 1
    assert WorkspaceChat.objects.count() == 1


def test_a_refused_question_answers_json_with_the_message(member_client, workspace, configured):
    response = stream(member_client, workspace, prompt="   ")
    assert response.status_code == 400
    assert response.json() == {"error": "Type a question first."}
    assert not WorkspaceChat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_no_database_connection_is_held_while_the_model_streams(client, settings, llm_server):
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory(name="Streaming")
    member = UserFactory(username="streamer")
    WorkspaceUserFactory(user=member, workspace=workspace)
    DocumentPassageFactory(document=WorkspaceDocumentFactory(workspace=workspace), text="Warranty water damage.")
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="local-model")
    client.force_login(member)
    chunks = iter(stream(client, workspace, "warranty water damage?").streaming_content)
    next(chunks), next(chunks)  # start, then the first token
    assert connection.connection is None
    list(chunks)
    assert WorkspaceChat.objects.get().state == "complete"


def test_a_question_whose_retrieval_breaks_is_stored_as_failed_not_left_answering(user, workspace, monkeypatch):
    from workspaces.chats import answering
    from workspaces.chats.services import INTERRUPTED_REASON, chat_answer, chat_start

    def broken(**kwargs):
        raise RuntimeError("the search index is gone")

    chat = chat_start(workspace=workspace, user=user, prompt=PROMPT)
    monkeypatch.setattr(answering, "retrieve_passages", broken)
    with pytest.raises(RuntimeError):
        list(chat_answer(chat=chat))
    chat.refresh_from_db()
    assert (chat.state, chat.answer.reason) == ("failed", INTERRUPTED_REASON)


def test_a_server_that_trickles_past_the_whole_answer_limit_is_cut_off(llm_server):
    llm_server.token_seconds = 0.1
    llm_server.stream_words = 100
    completion = completion_stream(llm_server, total_timeout=0.5)
    with pytest.raises(llm.LLMError) as failure:
        list(completion)
    assert failure.value.message == llm.MESSAGE_TIMEOUT
    assert 0 < len(completion.delivered.split()) < 100


def test_a_new_conversation_brings_its_day_the_list_total_and_the_buttons_for_all(
    member_client, workspace, user, configured
):
    """The page shows a conversation it starts without a reload: its row's day as the server writes it
    (the visitor's language and time zone), how many conversations there are (not how many rows the
    page holds: it lists 30), and Export and Delete all, which a page without conversations lacks."""
    setting_set(label="chat_provider", value="retrieval")
    for number in range(31):
        ChatThreadFactory(workspace=workspace, user=user, title=f"Earlier {number}")
    ChatThreadFactory(workspace=workspace, title="Someone else's")
    with timezone.override("Pacific/Auckland"):
        received = dict(events(member_client.post(
            f"/w/{workspace.slug}/chat/stream/", {"prompt": PROMPT, "thread": ""}, HTTP_ACCEPT_LANGUAGE="de",
        ).streaming_content))
        thread = WorkspaceChat.objects.get().thread
        with translation.override("de"):
            assert received["start"]["day"] == date_format(localtime(thread.last_asked_at), "j M Y")
    assert received["start"]["threads_total"] == 32
    assert "Alle löschen" in received["start"]["actions"] and "csrfmiddlewaretoken" in received["start"]["actions"]
    follow_up = dict(events(member_client.post(
        f"/w/{workspace.slug}/chat/stream/", {"prompt": "And for how long?", "thread": thread.pk}
    ).streaming_content))
    assert not {"day", "threads_total", "actions"} & set(follow_up["start"])  # the same conversation
