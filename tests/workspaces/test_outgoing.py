"""The one outgoing HTTP client (workspaces.outgoing), against real servers on 127.0.0.1: a key goes
only to its own origin and never along a redirect; timeouts and size limits hold; errors name the
status, never the other server's body."""

import json
import logging
import time

import pytest

from tests.llm_server import Behaviour, FakeLLMServer, fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces import outgoing
from workspaces.outgoing import Failure, OutgoingError, ServerKey

SECRET = "sk-outgoing-0123456789abcdef"


@pytest.fixture
def elsewhere():
    server = FakeLLMServer().start()
    yield server
    server.stop()


def failure_of(call) -> OutgoingError:
    with pytest.raises(OutgoingError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("HTTP://Models.Example/v1", "http://models.example:80"),
        ("https://models.example/v1/", "https://models.example:443"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434"),
        ("http://[::1]:8000/v1", "http://[::1]:8000"),
    ],
)
def test_an_origin_is_scheme_host_and_port(url, origin):
    assert outgoing.origin_of(url) == origin


@pytest.mark.parametrize(
    "url", ["ftp://models.example/v1", "http://user:pass@models.example/v1", "http://", "models.example/v1",
            "http://models.example:99999/v1"],
)
def test_an_address_that_is_not_plain_http_or_carries_credentials_is_refused(url):
    assert failure_of(lambda: outgoing.origin_of(url)).failure == Failure.ADDRESS


def test_a_key_is_sent_to_its_own_origin_only(llm_server, elsewhere):
    key = ServerKey.for_address(secret=SECRET, address=llm_server.base_url + "/some/path")
    for server in (llm_server, elsewhere):
        outgoing.request_send("GET", server.base_url + "/models", key=key, timeout=5, max_bytes=10_000)
    assert llm_server.requests[-1].authorization == f"Bearer {SECRET}"
    assert elsewhere.requests[-1].authorization is None


def test_a_request_with_a_key_follows_no_redirect_even_when_asked(llm_server, elsewhere):
    llm_server.behaviour = Behaviour.REDIRECT
    llm_server.redirect_to = elsewhere.base_url + "/models"
    key = ServerKey.for_address(secret=SECRET, address=llm_server.base_url)
    error = failure_of(lambda: outgoing.response_open("GET", llm_server.base_url + "/models", key=key, timeout=5,
                                                      follow_redirects=True))
    assert (error.failure, error.status, error.message) == (Failure.STATUS, 302, "it answered 302 Found")
    assert elsewhere.requests == []


def test_a_request_without_a_key_may_follow_a_redirect_to_another_host(llm_server, elsewhere):
    llm_server.behaviour = Behaviour.REDIRECT
    llm_server.redirect_to = elsewhere.base_url + "/models"
    with outgoing.response_open("GET", llm_server.base_url + "/models", timeout=5, follow_redirects=True) as answer:
        assert json.loads(answer.read(max_bytes=10_000))["data"][0]["id"] == "fake-model"
    assert elsewhere.requests[0].authorization is None


def test_an_error_names_the_status_and_the_body_goes_to_the_log_only_with_the_key_masked(llm_server, caplog):
    llm_server.api_key = "the-right-key"  # the fake echoes the key it was given in its 401 body
    key = ServerKey.for_address(secret=SECRET, address=llm_server.base_url)
    with caplog.at_level(logging.WARNING):
        error = failure_of(lambda: outgoing.request_send(
            "POST", llm_server.base_url + "/chat/completions", key=key, json={}, timeout=5, max_bytes=10_000))
    assert error.message == "it answered 401 Unauthorized" and error.status == 401
    assert "Incorrect API key provided: [key]" in caplog.text and SECRET not in caplog.text


def test_a_slow_server_times_out_in_about_the_timeout(llm_server):
    llm_server.behaviour = Behaviour.SLOW
    started = time.monotonic()
    error = failure_of(lambda: outgoing.request_send(
        "POST", llm_server.base_url + "/chat/completions", json={"model": "m", "messages": [{"role": "user",
        "content": "hi"}]}, timeout=0.3, max_bytes=10_000))
    assert error.failure == Failure.TIMEOUT and error.message == "no answer within 0.3 s"
    assert time.monotonic() - started < llm_server.slow_seconds - 1


def test_an_answer_over_the_size_limit_is_dropped(llm_server):
    error = failure_of(lambda: outgoing.request_send("GET", llm_server.base_url + "/models", timeout=5, max_bytes=10))
    assert error.failure == Failure.TOO_LARGE


def test_a_stopped_server_is_unreachable(llm_server):
    url = llm_server.base_url + "/models"
    llm_server.stop()
    assert failure_of(lambda: outgoing.request_send("GET", url, timeout=2, max_bytes=10)).failure == Failure.UNREACHABLE


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9\\@elsewhere.example/v1", "http://elsewhere.example#@127.0.0.1:9/v1",
     "http://elsewhere.example?@127.0.0.1:9/v1"],
)
def test_an_address_dressed_up_as_the_configured_one_gets_no_key(url):
    key = ServerKey.for_address(secret=SECRET, address="http://127.0.0.1:9/v1")
    try:
        sent = key.sent_to(url)
    except OutgoingError:
        sent = False  # refused as an address at all
    assert not sent
