"""Streaming completions: `POST <base_url>/chat/completions` with `stream: true`.

The server answers with Server-Sent Events, one `data: {json}` line per chunk and
`data: [DONE]` at the end (the OpenAI protocol). `CompletionStream` yields the
text deltas as they arrive; once exhausted it knows the model, the token usage
(requested with `stream_options.include_usage`) and the time to the first token.
Every failure, before or during the stream, is an `llm.LLMError` with a message
fit for the person who asked; `delivered` keeps what arrived before it.
"""

import json
import logging
import time
from collections.abc import Iterator

from django.utils.translation import gettext_noop

from workspaces import outgoing
from workspaces.chats import llm
from workspaces.chats.llm import LLMError
from workspaces.outgoing import Failure, OutgoingError, ServerKey

logger = logging.getLogger(__name__)

MESSAGE_STALLED = gettext_noop("The language model server stopped sending the answer.")
MESSAGE_CUT_OFF = gettext_noop("The language model server ended the answer before it was complete.")
MESSAGE_STREAM_ERROR = "The language model server reported an error while answering: {detail}"
MAX_LINE_BYTES = 256 * 1024
DETAIL_CHARS = 200
# Failures before the answer starts, as the page words them (a bad status has its own message).
OPEN_FAILURES = {
    Failure.ADDRESS: llm.MESSAGE_INVALID_BASE_URL,
    Failure.KEY: llm.MESSAGE_NOT_CONFIGURED,
    Failure.TIMEOUT: llm.MESSAGE_TIMEOUT,
    Failure.UNREACHABLE: llm.MESSAGE_CANNOT_CONNECT,
    Failure.BROKEN: llm.MESSAGE_CANNOT_CONNECT,
}


class CompletionStream:
    """Iterate for text deltas. `idle_timeout` bounds the wait for each chunk (a stalled
    server), `total_timeout` the whole answer (a server that trickles forever). `key` goes
    only to its own origin (see `workspaces.outgoing`)."""

    def __init__(self, *, base_url: str, model: str, messages: list[dict], key: ServerKey | None = None,
                 idle_timeout: float, total_timeout: float):
        self.base_url = (base_url or "").strip()
        self.requested_model = (model or "").strip()
        self.model = self.requested_model
        self.key = key
        self.messages = messages
        self.idle_timeout = idle_timeout
        self.total_timeout = total_timeout
        self.usage: dict | None = None
        self.finish_reason = ""
        self.first_token_ms: int | None = None
        self.elapsed_ms: int | None = None
        self.delivered = ""
        self.origin = ""
        self._response: outgoing.OpenResponse | None = None

    def __iter__(self) -> Iterator[str]:
        started = time.monotonic()
        self._response = self._open()
        try:
            for delta in self._deltas(deadline=started + self.total_timeout):
                if self.first_token_ms is None:
                    self.first_token_ms = round((time.monotonic() - started) * 1000)
                self.delivered += delta
                yield delta
        finally:
            self.elapsed_ms = round((time.monotonic() - started) * 1000)
            self.close()
        if not self.delivered.strip():
            raise LLMError(llm.MESSAGE_EMPTY_ANSWER)

    def close(self):
        """Hang up on the server (also when the asker stopped): it stops generating."""
        if self._response is not None:
            self._response.close()
            self._response = None

    def _open(self) -> outgoing.OpenResponse:
        if not self.base_url or not self.requested_model:
            raise LLMError(llm.MESSAGE_NOT_CONFIGURED)
        body = {"model": self.requested_model, "messages": self.messages, "stream": True,
                "stream_options": {"include_usage": True}}
        try:
            self.origin = outgoing.origin_of(self.base_url)
            return outgoing.response_open(
                "POST", self.base_url.rstrip("/") + "/chat/completions", key=self.key, json=body,
                accept="text/event-stream", timeout=self.idle_timeout,
            )
        except OutgoingError as failure:
            if failure.failure == Failure.STATUS:
                raise LLMError(llm.bad_status_message(failure.status), upstream_status=failure.status) from None
            raise LLMError(OPEN_FAILURES.get(failure.failure, llm.MESSAGE_CANNOT_CONNECT)) from None

    def _lines(self, *, deadline: float) -> Iterator[bytes]:
        """The body's lines as they arrive; a stall, a broken connection or the end of the time
        allowed as the page words them."""
        pending = b""
        try:
            for chunk in self._response.chunks():
                if time.monotonic() > deadline:
                    logger.warning("LLM server %s streamed for longer than %.0fs", self.origin, self.total_timeout)
                    raise LLMError(llm.MESSAGE_TIMEOUT)
                pending += chunk
                *lines, pending = pending.split(b"\n")
                yield from lines
                if len(pending) > MAX_LINE_BYTES:
                    logger.warning("LLM server %s sent a line longer than %d bytes", self.origin, MAX_LINE_BYTES)
                    raise LLMError(llm.MESSAGE_TOO_LARGE)
        except OutgoingError as failure:
            raise LLMError(MESSAGE_STALLED if failure.failure == Failure.TIMEOUT else MESSAGE_CUT_OFF) from None
        if pending:
            yield pending

    def _deltas(self, *, deadline: float) -> Iterator[str]:
        size = 0
        for line in self._lines(deadline=deadline):
            size += len(line) + 1
            if size > llm.MAX_RESPONSE_BYTES:
                raise LLMError(llm.MESSAGE_TOO_LARGE)
            line = line.strip()
            if not line.startswith(b"data:"):
                continue  # blank separators, comments (": keep-alive"), event names
            data = line[5:].strip()
            if data == b"[DONE]":
                return
            delta = self._read_chunk(data)
            if delta:
                yield delta
        logger.warning("LLM server %s closed the stream without [DONE]", self.origin)
        raise LLMError(MESSAGE_CUT_OFF)

    def _read_chunk(self, data: bytes) -> str:
        try:
            chunk = json.loads(data)
        except ValueError:
            logger.warning("LLM server %s sent an unreadable chunk: %r", self.origin, data[:200])
            raise LLMError(llm.MESSAGE_MALFORMED) from None
        if not isinstance(chunk, dict):
            raise LLMError(llm.MESSAGE_MALFORMED)
        if "error" in chunk:
            error = chunk["error"]
            detail = error.get("message") if isinstance(error, dict) else error
            detail = " ".join(str(detail).split())
            if self.key is not None:
                detail = detail.replace(self.key.secret, "[key]")
            detail = detail[:DETAIL_CHARS]
            logger.warning("LLM server %s reported an error mid-stream: %s", self.origin, detail)
            raise LLMError(MESSAGE_STREAM_ERROR.format(detail=detail))
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            self.model = chunk["model"].replace("\x00", "")[:120]
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return ""  # the usage chunk has no choices
        if choices[0].get("finish_reason"):
            self.finish_reason = str(choices[0]["finish_reason"])[:40]
        delta = choices[0].get("delta")
        content = delta.get("content") if isinstance(delta, dict) else None
        if content is not None and not isinstance(content, str):
            raise LLMError(llm.MESSAGE_MALFORMED)
        return (content or "").replace("\x00", "")
