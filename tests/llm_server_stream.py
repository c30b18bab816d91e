"""The streaming side of the fake model server (tests/llm_server.py): a request with
`"stream": true` is answered with Server-Sent Events as the OpenAI protocol sends them."""

import json
import re
import time

from tests.llm_server import Behaviour, FakeLLMServer, _word_count, answer_text

NON_STREAM_FAILURES = frozenset(
    {Behaviour.SERVER_ERROR, Behaviour.UNAUTHORIZED, Behaviour.REDIRECT, Behaviour.NOT_HTTP}
)
STREAM_FAILURE_AFTER_TOKENS = 3


def stream_tokens(fake: "FakeLLMServer", body: dict) -> list[str]:
    """The answer cut into tokens (words with their leading space), padded with filler words
    to `fake.stream_words` when that is larger, so a benchmark can ask for a long answer;
    `fake.stream_text` instead when set (its spaces and new lines kept)."""
    if fake.stream_text:
        return re.findall(r"\s*\S+", fake.stream_text)
    words = answer_text(body["model"], body["messages"]).split()
    words += ["word"] * max(0, fake.stream_words - len(words))
    return [word if index == 0 else f" {word}" for index, word in enumerate(words)]


def _sse(handler, payload) -> None:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    handler.wfile.write(f"data: {data}\n\n".encode())
    handler.wfile.flush()


def chunk(model: str, content: str | None, finish_reason: str | None = None) -> dict:
    delta = {"content": content} if content is not None else {}
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


def _note_first_token(fake: "FakeLLMServer", body: dict) -> None:
    """For the benchmark: when the first token of the answer to each question left (monotonic clock)."""
    if fake.first_token_log:
        prompt = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        with fake._lock, open(fake.first_token_log, "a") as log:
            log.write(f"{time.monotonic()}\t{json.dumps(prompt)}\n")


def respond_streaming(handler, fake: "FakeLLMServer", body: dict) -> None:
    """Server-Sent Events as the OpenAI protocol sends them, over a connection closed at the end
    (no Content-Length). A client that hangs up mid-answer is counted in `fake.disconnects`."""
    model = fake.reported_model if fake.reported_model is not None else body["model"]
    tokens = stream_tokens(fake, body)
    if fake.behaviour == Behaviour.SLOW and fake.stopping.wait(fake.slow_seconds):
        return  # a server busy before it answers at all
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    failing = fake.behaviour in (Behaviour.STREAM_ERROR, Behaviour.STREAM_STALL, Behaviour.STREAM_CUT)
    try:
        if fake.behaviour == Behaviour.MALFORMED_JSON:
            _sse(handler, '{"choices": [{"delta": {"content": "cut off')
            return
        if fake.behaviour in (Behaviour.MISSING_CHOICES, Behaviour.EMPTY_CONTENT):
            tokens = [None] if fake.behaviour == Behaviour.MISSING_CHOICES else ["  ", " "]
        for index, token in enumerate(tokens):
            if failing and index == STREAM_FAILURE_AFTER_TOKENS:
                break
            if index and fake.token_seconds and fake.stopping.wait(fake.token_seconds):
                return
            _sse(handler, chunk(model, token) if token is not None else {"id": "chatcmpl-fake", "model": model})
            if index == 0:
                _note_first_token(fake, body)
        if fake.behaviour == Behaviour.STREAM_ERROR:
            _sse(handler, {"error": {"message": "The model overloaded.", "type": "server_error"}})
            return
        if fake.behaviour == Behaviour.STREAM_STALL:
            fake.stopping.wait(fake.slow_seconds)
            return
        if fake.behaviour == Behaviour.STREAM_CUT:
            return
        _sse(handler, chunk(model, None, "stop"))
        prompt_words = _word_count(body["messages"])
        if fake.reports_usage and (body.get("stream_options") or {}).get("include_usage"):
            _sse(handler, {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model, "choices": [],
                           "usage": {"prompt_tokens": prompt_words, "completion_tokens": len(tokens),
                                     "total_tokens": prompt_words + len(tokens)}})
        _sse(handler, "[DONE]")
    except (BrokenPipeError, ConnectionResetError):
        with fake._lock:
            fake.disconnects += 1
