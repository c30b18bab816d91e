"""The model server client the product uses (the streaming one, workspaces.chats.llm_stream, over
workspaces.outgoing) against a real HTTP server on 127.0.0.1 (tests/llm_server.py), and the
messages sent for one question."""

import json
import logging
import time
import urllib.error
import urllib.request

import pytest

from tests.llm_server import Behaviour, FakeLLMServer, fake_llm_server  # noqa: F401 - the llm_server fixture
from workspaces.chats.llm import (
    MESSAGE_CANNOT_CONNECT,
    MESSAGE_EMPTY_ANSWER,
    MESSAGE_INVALID_BASE_URL,
    MESSAGE_MALFORMED,
    MESSAGE_NOT_CONFIGURED,
    MESSAGE_TIMEOUT,
    MESSAGE_TOO_LARGE,
    NO_PASSAGES_NOTE,
    LLMError,
    bad_status_message,
    build_messages,
)
from workspaces.chats.llm_stream import MAX_LINE_BYTES, CompletionStream
from workspaces.outgoing import ServerKey

SECRET_KEY_VALUE = "sk-test-0123456789abcdef"
QUESTION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "What does the handbook say about holidays and sick leave in winter?"},
]


def key_for(server, secret=SECRET_KEY_VALUE) -> ServerKey:
    return ServerKey.for_address(secret=secret, address=server.base_url)


def ask(server, **overrides) -> CompletionStream:
    arguments = {"base_url": server.base_url, "model": "tiny", "messages": QUESTION, "idle_timeout": 5,
                 "total_timeout": 10}
    completion = CompletionStream(**(arguments | overrides))
    completion.text = "".join(completion)
    return completion


def failure_of(server, **overrides) -> LLMError:
    with pytest.raises(LLMError) as caught:
        ask(server, **overrides)
    return caught.value


def test_answer_text_model_usage_and_timing_come_from_the_server(llm_server):
    completion = ask(llm_server)
    assert completion.text == "Answer from tiny: What does the handbook say about holidays and"
    assert completion.model == "tiny"
    assert completion.usage == {"prompt_tokens": 14, "completion_tokens": 11, "total_tokens": 25}
    assert 0 <= completion.elapsed_ms < 5000


def test_the_request_carries_the_model_and_the_messages_unchanged(llm_server):
    ask(llm_server, model="llama3.2")
    (request,) = llm_server.requests
    assert request.method == "POST"
    assert request.path == "/v1/chat/completions"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {"model": "llama3.2", "messages": QUESTION, "stream": True,
                            "stream_options": {"include_usage": True}}


def test_a_trailing_slash_on_the_base_url_is_tolerated(llm_server):
    ask(llm_server, base_url=llm_server.base_url + "/")
    assert llm_server.requests[0].path == "/v1/chat/completions"


def test_bearer_key_is_sent_when_configured(llm_server):
    llm_server.api_key = SECRET_KEY_VALUE
    assert ask(llm_server, key=key_for(llm_server)).text.startswith("Answer from tiny")
    assert llm_server.requests[0].authorization == f"Bearer {SECRET_KEY_VALUE}"


def test_no_authorization_header_is_sent_without_a_key(llm_server):
    ask(llm_server, key=None)
    assert llm_server.requests[0].authorization is None


def test_a_key_bound_to_another_origin_is_not_sent(llm_server):
    elsewhere = ServerKey.for_address(secret=SECRET_KEY_VALUE, address="http://127.0.0.1:9/v1")
    ask(llm_server, key=elsewhere)
    assert llm_server.requests[0].authorization is None


def test_a_model_name_reported_by_the_server_wins_over_the_requested_one(llm_server):
    """Servers resolve aliases (e.g. `gpt-4o` → `gpt-4o-2024-08-06`); the chat log records what answered."""
    llm_server.reported_model = "tiny-2025-01-01"
    assert ask(llm_server).model == "tiny-2025-01-01"


def test_the_requested_model_is_kept_when_the_server_names_none(llm_server):
    llm_server.reported_model = ""
    assert ask(llm_server).model == "tiny"


def test_a_server_error_becomes_a_message_naming_the_status_and_its_reason_only(llm_server, caplog):
    llm_server.behaviour = Behaviour.SERVER_ERROR
    error = failure_of(llm_server)
    assert str(error) == "The language model server answered 500 Internal Server Error." == bad_status_message(500)
    assert error.upstream_status == 500
    assert "processing your request" not in str(error), "the server's own words stay in the log"
    assert "HTTP 500" in caplog.text and "processing your request" in caplog.text


def test_a_rejected_key_becomes_401_and_the_key_appears_in_no_message_or_log(llm_server, caplog):
    llm_server.api_key = "the-right-key"
    with caplog.at_level(logging.DEBUG):
        error = failure_of(llm_server, key=key_for(llm_server))
    assert error.upstream_status == 401
    assert str(error) == bad_status_message(401) == "The language model server answered 401 Unauthorized."
    assert "Incorrect API key provided" in caplog.text, "the server echoed the key in its error body"
    assert SECRET_KEY_VALUE not in caplog.text
    assert SECRET_KEY_VALUE not in str(error)


def test_an_unauthorized_answer_without_a_key_is_reported_as_401(llm_server):
    llm_server.behaviour = Behaviour.UNAUTHORIZED
    assert failure_of(llm_server).upstream_status == 401


def test_a_request_the_server_rejects_as_invalid_is_reported_as_400(llm_server):
    assert failure_of(llm_server, messages=[]).upstream_status == 400


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (Behaviour.MALFORMED_JSON, MESSAGE_MALFORMED),
        (Behaviour.EMPTY_CONTENT, MESSAGE_EMPTY_ANSWER),
    ],
)
def test_an_unusable_answer_becomes_a_clear_message(llm_server, behaviour, message):
    llm_server.behaviour = behaviour
    error = failure_of(llm_server)
    assert str(error) == message
    assert error.upstream_status is None


def test_a_line_longer_than_the_limit_is_refused_not_held(llm_server):
    llm_server.reported_model = "m" * (MAX_LINE_BYTES + 1)
    assert str(failure_of(llm_server)) == MESSAGE_TOO_LARGE


def test_a_slow_server_times_out_with_a_clear_message_in_about_the_timeout(llm_server):
    llm_server.behaviour = Behaviour.SLOW
    started = time.monotonic()
    error = failure_of(llm_server, idle_timeout=0.3)
    assert str(error) == MESSAGE_TIMEOUT
    assert time.monotonic() - started < llm_server.slow_seconds - 1


def test_a_stopped_server_is_reported_as_unreachable(llm_server):
    base_url = llm_server.base_url
    llm_server.stop()
    with pytest.raises(LLMError) as caught:
        list(CompletionStream(base_url=base_url, model="tiny", messages=QUESTION, idle_timeout=2, total_timeout=2))
    assert str(caught.value) == MESSAGE_CANNOT_CONNECT


def test_a_redirect_is_not_followed_so_the_key_goes_nowhere_else(llm_server):
    elsewhere = FakeLLMServer().start()
    try:
        llm_server.behaviour = Behaviour.REDIRECT
        llm_server.redirect_to = elsewhere.base_url + "/chat/completions"
        error = failure_of(llm_server, key=key_for(llm_server))
    finally:
        elsewhere.stop()
    assert error.upstream_status == 302
    assert str(error) == "The language model server answered 302 Found."
    assert [request.path for request in llm_server.requests] == ["/v1/chat/completions"]
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "base_url",
    [
        "file:///etc/passwd",
        "ftp://files.example/v1",
        "127.0.0.1:11434/v1",
        "http://",
        "http://user:secret@127.0.0.1:11434/v1",
        "http://127.0.0.1:notaport/v1",
        "http://127.0.0.1:99999/v1",
    ],
)
def test_only_plain_http_and_https_base_urls_are_accepted(base_url):
    with pytest.raises(LLMError) as caught:
        list(CompletionStream(base_url=base_url, model="tiny", messages=QUESTION, idle_timeout=1, total_timeout=1))
    assert str(caught.value) == MESSAGE_INVALID_BASE_URL


@pytest.mark.parametrize(("base_url", "model"), [("", "tiny"), ("http://127.0.0.1:9/v1", ""), ("  ", "  ")])
def test_a_missing_base_url_or_model_means_not_configured(base_url, model):
    with pytest.raises(LLMError) as caught:
        list(CompletionStream(base_url=base_url, model=model, messages=QUESTION, idle_timeout=1, total_timeout=1))
    assert str(caught.value) == MESSAGE_NOT_CONFIGURED


def test_a_key_with_a_line_break_is_refused_before_anything_is_sent(llm_server, caplog):
    error = failure_of(llm_server, key=key_for(llm_server, "sk-abc\r\nX-Injected: 1"))
    assert str(error) == MESSAGE_NOT_CONFIGURED
    assert llm_server.requests == []
    assert "sk-abc" not in caplog.text


def test_the_fake_server_rejects_a_body_without_model_or_messages(llm_server):
    """The fake speaks the protocol, so a client bug shows up as a 400 rather than passing silently."""
    for body in ({"messages": QUESTION}, {"model": "m"}, {"model": "m", "messages": [{"role": "robot"}]}):
        request = urllib.request.Request(
            llm_server.base_url + "/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)
        assert caught.value.code == 400


PASSAGES = [
    {"filename": "handbook.pdf", "position": 3, "text": "Holidays are 25 days."},
    {"filename": "policy.txt", "position": 1, "text": "Sick leave needs a note after 3 days."},
]


def test_build_messages_puts_numbered_passages_in_the_system_message():
    messages = build_messages(system_prompt="Answer from the passages.", history=[], passages=PASSAGES, prompt="Q?")
    assert messages[0] == {
        "role": "system",
        "content": "Answer from the passages.\n\nContext:\n"
        "[1] handbook.pdf, passage 3: Holidays are 25 days.\n\n"
        "[2] policy.txt, passage 1: Sick leave needs a note after 3 days.",
    }
    assert messages[-1] == {"role": "user", "content": "Q?"}
    assert len(messages) == 2


def test_passages_are_named_by_their_pages_and_section_when_they_have_them():
    passages = [
        {"filename": "handbook.pdf", "position": 3, "text": "Holidays are 25 days.", "page_start": 4, "page_end": 4,
         "section": "Leave"},
        {"filename": "handbook.pdf", "position": 9, "text": "Expenses within 30 days.", "page_start": 7, "page_end": 8,
         "section": ""},
    ]
    system = build_messages(system_prompt="Cite.", history=[], passages=passages, prompt="Q?")[0]["content"]
    assert "[1] handbook.pdf, p. 4, section “Leave”: Holidays are 25 days." in system
    assert "[2] handbook.pdf, pp. 7–8: Expenses within 30 days." in system


def test_build_messages_says_so_when_no_passage_matched():
    (system, _question) = build_messages(system_prompt="Be brief.", history=[], passages=[], prompt="Q?")
    assert system["content"] == f"Be brief.\n\nContext:\n{NO_PASSAGES_NOTE}"


def test_build_messages_replays_history_oldest_first_as_alternating_turns():
    history = [("first?", "one."), ("unanswered?", ""), ("second?", "two.")]
    messages = build_messages(system_prompt="S", history=history, passages=[], prompt="third?")
    assert [(m["role"], m["content"]) for m in messages[1:]] == [
        ("user", "first?"),
        ("assistant", "one."),
        ("user", "second?"),
        ("assistant", "two."),
        ("user", "third?"),
    ]


def test_built_messages_are_accepted_by_the_server_and_cite_the_first_passage(llm_server):
    messages = build_messages(
        system_prompt="S", history=[("earlier?", "earlier.")], passages=PASSAGES, prompt="How many holidays?"
    )
    completion = ask(llm_server, messages=messages)
    assert completion.text == "Answer from tiny: How many holidays? [1]"
    assert llm_server.requests[0].messages == messages
