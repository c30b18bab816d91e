"""A fake OpenAI-compatible chat completions server: a real HTTP server, not a mock.

In tests, the `llm_server` fixture starts one on a free port of 127.0.0.1; a
test module enables it with `from tests.llm_server import fake_llm_server  # noqa: F401`
(the fixture is named `llm_server`, so test arguments do not shadow the import).
Set its `behaviour` to make it fail in a chosen way and read `requests` to see
what the client sent.

By hand, to try Docent against it:

    .venv/bin/python -m tests.llm_server_cli --port 8765

then set the `llm_base_url` setting to http://127.0.0.1:8765/v1, `llm_model`
to any name and `chat_provider` to openai-compatible.
"""

import json
import sys
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

COMPLETIONS_PATH = "/v1/chat/completions"
EMBEDDINGS_PATH = "/v1/embeddings"
ANSWER_PREVIEW_WORDS = 8
MAX_REQUEST_BYTES = 10 * 1024 * 1024
OVERSIZED_ANSWER_BYTES = 3 * 1024 * 1024
VALID_ROLES = frozenset({"system", "user", "assistant"})


class Behaviour(StrEnum):
    ANSWER = "answer"
    SERVER_ERROR = "server-error"
    UNAUTHORIZED = "unauthorized"
    MALFORMED_JSON = "malformed-json"
    MISSING_CHOICES = "missing-choices"
    EMPTY_CONTENT = "empty-content"
    SLOW = "slow"
    OVERSIZED = "oversized"
    REDIRECT = "redirect"
    NOT_HTTP = "not-http"  # raw bytes (error_message) and a closed connection, as a database port answers
    # Streaming only (a request with "stream": true): a few tokens, then...
    STREAM_ERROR = "stream-error"  # ...an error event, as OpenAI sends one mid-stream
    STREAM_STALL = "stream-stall"  # ...silence, the connection left open
    STREAM_CUT = "stream-cut"  # ...the connection closed without [DONE]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: object

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def messages(self) -> list:
        return self.body.get("messages", []) if isinstance(self.body, dict) else []


def answer_text(model: str, messages: list[dict]) -> str:
    """The deterministic answer: the model name and the first words of the last user message,
    plus a citation of passage [1] when the system message offers one."""
    last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    preview = " ".join(last_user.split()[:ANSWER_PREVIEW_WORDS])
    cites_first_passage = any(m["role"] == "system" and "[1]" in m["content"] for m in messages)
    return f"Answer from {model}: {preview}" + (" [1]" if cites_first_passage else "")


def protocol_error(body: object) -> str | None:
    """Why `body` is not a valid chat completions request, or None when it is."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for index, message in enumerate(messages):
        if (
            not isinstance(message, dict)
            or message.get("role") not in VALID_ROLES
            or not isinstance(message.get("content"), str)
        ):
            return f"messages[{index}] must have a role ({', '.join(sorted(VALID_ROLES))}) and string content"
    return None


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self._record(body=None)
        fake = self.server.fake
        if fake.behaviour in (Behaviour.SERVER_ERROR, Behaviour.REDIRECT, Behaviour.NOT_HTTP):
            self._respond(fake.behaviour, {})
        elif self.path.rstrip("/") == "/v1/models":
            self._send_json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        else:
            self._send_error(404, "Not found.", "not_found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send_error(413, "Request too large.", "invalid_request_error")
            return
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self._record(body=body)
        fake = self.server.fake
        if self.path == EMBEDDINGS_PATH:
            from tests.llm_server_embeddings import respond_embeddings

            respond_embeddings(self, fake, body)
            return
        if self.path != COMPLETIONS_PATH:
            self._send_error(404, f"Unknown path {self.path}.", "not_found")
            return
        if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            # Like OpenAI, echo the key that was given, so tests can check the client keeps it out of logs.
            given = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            self._send_error(401, f"Incorrect API key provided: {given}", "invalid_api_key")
            return
        problem = protocol_error(body)
        if problem:
            self._send_error(400, problem, "invalid_request_error")
            return
        if body.get("stream") is True:
            from tests.llm_server_stream import NON_STREAM_FAILURES, respond_streaming

            if fake.behaviour not in NON_STREAM_FAILURES:
                respond_streaming(self, fake, body)
                return
        self._respond(fake.behaviour, body)

    def _record(self, *, body: object):
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.fake.record(RecordedRequest(method=self.command, path=self.path, headers=headers, body=body))

    def _respond(self, behaviour: Behaviour, body: dict):
        fake = self.server.fake
        if behaviour == Behaviour.SERVER_ERROR:
            self._send_error(500, fake.error_message, "server_error")
        elif behaviour == Behaviour.UNAUTHORIZED:
            self._send_error(401, "Incorrect API key provided.", "invalid_api_key")
        elif behaviour == Behaviour.MALFORMED_JSON:
            self._send_bytes(200, b'{"choices": [{"message": {"content": "cut off', "application/json")
        elif behaviour == Behaviour.MISSING_CHOICES:
            self._send_json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "model": body["model"]})
        elif behaviour == Behaviour.EMPTY_CONTENT:
            self._send_json(200, _completion(body["model"], "   "))
        elif behaviour == Behaviour.OVERSIZED:
            self._send_json(200, _completion(body["model"], "x" * OVERSIZED_ANSWER_BYTES))
        elif behaviour == Behaviour.NOT_HTTP:
            self.wfile.write(f"-ERR {fake.error_message}\r\n\r\n".encode())
            self.close_connection = True
        elif behaviour == Behaviour.REDIRECT:
            self.send_response(fake.redirect_status)
            self.send_header("Location", fake.redirect_to or "/v1/elsewhere/chat/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            if behaviour == Behaviour.SLOW and fake.stopping.wait(fake.slow_seconds):
                return
            text = answer_text(body["model"], body["messages"])
            completion = _completion(body["model"], text, prompt_words=_word_count(body["messages"]))
            if fake.reported_model is not None:
                completion["model"] = fake.reported_model
            self._send_json(200, completion)

    def _send_error(self, status: int, message: str, code: str):
        self._send_json(status, {"error": {"message": message, "type": code, "code": code}})

    def _send_json(self, status: int, payload: dict):
        self._send_bytes(status, json.dumps(payload).encode(), "application/json")

    def _send_bytes(self, status: int, data: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        if self.server.fake.verbose:
            super().log_message(format, *args)


def _word_count(messages: list[dict]) -> int:
    return sum(len(m["content"].split()) for m in messages)


def _completion(model: str, text: str, *, prompt_words: int = 0) -> dict:
    completion_words = len(text.split())
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_words,
            "completion_tokens": completion_words,
            "total_tokens": prompt_words + completion_words,
        },
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # make load-stream's 32 askers reach it at once: with socketserver's 5, a busy machine's
    # accept queue overflowed and a few connections were reset (a lost question, not Docent's).
    request_queue_size = 64

    def __init__(self, address, fake: "FakeLLMServer"):
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        """A client that gave up (timeout, size limit) closes its socket mid-answer: not an error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class FakeLLMServer:
    host: str = "127.0.0.1"
    port: int = 0
    behaviour: Behaviour = Behaviour.ANSWER
    api_key: str = ""
    slow_seconds: float = 3.0
    error_message: str = "The server had an error while processing your request."  # SERVER_ERROR's body
    redirect_to: str = ""  # REDIRECT's Location: another server's address, else a path on this one
    redirect_status: int = 302
    # None: answers name the requested model; "": they name none; else this name (a resolved alias).
    reported_model: str | None = None
    verbose: bool = False
    token_seconds: float = 0.0  # streaming: pause between tokens
    stream_words: int = 0  # streaming: pad the answer to this many words
    stream_text: str = ""  # streaming: answer with this text (Markdown, citations) instead
    disconnects: int = 0  # streaming: answers the client hung up on
    first_token_log: str = ""  # streaming: a file to note each answer's first token in
    reports_usage: bool = True  # streaming: False sends no usage chunk, as llama.cpp's server does
    requests: list[RecordedRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The API root including /v1, as the llm_base_url setting expects."""
        return f"http://{self.host}:{self.port}/v1"

    def record(self, request: RecordedRequest):
        with self._lock:
            self.requests.append(request)

    def start(self) -> "FakeLLMServer":
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop answering: the port is closed, so a later request is refused."""
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None


@pytest.fixture(name="llm_server")
def fake_llm_server():
    """A running FakeLLMServer on a free port of 127.0.0.1, stopped after the test."""
    server = FakeLLMServer().start()
    yield server
    server.stop()
