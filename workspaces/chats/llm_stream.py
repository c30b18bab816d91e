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
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPException

from workspaces.chats import llm
from workspaces.chats.llm import LLMError

logger = logging.getLogger(__name__)

MESSAGE_STALLED = "The language model server stopped sending the answer."
MESSAGE_CUT_OFF = "The language model server ended the answer before it was complete."
MESSAGE_STREAM_ERROR = "The language model server reported an error while answering: {detail}"
MAX_LINE_BYTES = 256 * 1024
DETAIL_CHARS = 200


class CompletionStream:
    """Iterate for text deltas. `idle_timeout` bounds the wait for each chunk (a stalled
    server), `total_timeout` the whole answer (a server that trickles forever)."""

    def __init__(self, *, base_url: str, model: str, messages: list[dict], api_key: str = "",
                 idle_timeout: float, total_timeout: float):
        self.base_url = (base_url or "").strip()
        self.requested_model = (model or "").strip()
        self.model = self.requested_model
        self.api_key = (api_key or "").strip()
        self.messages = messages
        self.idle_timeout = idle_timeout
        self.total_timeout = total_timeout
        self.usage: dict | None = None
        self.finish_reason = ""
        self.first_token_ms: int | None = None
        self.elapsed_ms: int | None = None
        self.delivered = ""
        self._response = None

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

    def _open(self):
        if not self.base_url or not self.requested_model:
            raise LLMError(llm.MESSAGE_NOT_CONFIGURED)
        self.origin = llm._checked_origin(self.base_url)
        if self.api_key and not self.api_key.isprintable():
            logger.error("LLM API key contains characters not allowed in a header; it was not sent")
            raise LLMError(llm.MESSAGE_NOT_CONFIGURED)
        body = {"model": self.requested_model, "messages": self.messages, "stream": True,
                "stream_options": {"include_usage": True}}
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http or https above
            self.base_url.rstrip("/") + "/chat/completions",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "text/event-stream", "User-Agent": "Docent"},
        )
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        with _translated_errors(self.origin, self.idle_timeout):
            try:
                response = llm._opener.open(request, timeout=self.idle_timeout)
            except urllib.error.HTTPError as exc:
                excerpt = llm._error_excerpt(exc, self.api_key)
                logger.warning("LLM server %s answered HTTP %s for model %r: %s", self.origin, exc.code,
                               self.requested_model, excerpt)
                raise LLMError(llm.MESSAGE_BAD_STATUS.format(status=exc.code), upstream_status=exc.code) from None
        if response.status != 200:
            response.close()
            raise LLMError(llm.MESSAGE_BAD_STATUS.format(status=response.status), upstream_status=response.status)
        return response

    def _deltas(self, *, deadline: float) -> Iterator[str]:
        size = 0
        while True:
            with _translated_errors(self.origin, self.idle_timeout, stalled=True):
                line = self._response.readline(MAX_LINE_BYTES)
            if time.monotonic() > deadline:
                logger.warning("LLM server %s streamed for longer than %.0fs", self.origin, self.total_timeout)
                raise LLMError(llm.MESSAGE_TIMEOUT)
            if not line:
                logger.warning("LLM server %s closed the stream without [DONE]", self.origin)
                raise LLMError(MESSAGE_CUT_OFF)
            size += len(line)
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
            detail = llm._masked(" ".join(str(detail).split()), self.api_key)[:DETAIL_CHARS]
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


class _translated_errors:
    """Socket and protocol failures as LLMErrors with the page's messages."""

    def __init__(self, origin: str, timeout: float, *, stalled: bool = False):
        self.origin, self.timeout, self.stalled = origin, timeout, stalled

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, LLMError | urllib.error.HTTPError):
            return False
        if isinstance(exc, urllib.error.URLError):
            if isinstance(exc.reason, TimeoutError):
                logger.warning("LLM server %s timed out after %.1fs while connecting", self.origin, self.timeout)
                raise LLMError(llm.MESSAGE_TIMEOUT) from None
            logger.warning("LLM server %s could not be reached: %s", self.origin, exc.reason)
            raise LLMError(llm.MESSAGE_CANNOT_CONNECT) from None
        if isinstance(exc, TimeoutError):
            logger.warning("LLM server %s sent nothing for %.1fs", self.origin, self.timeout)
            raise LLMError(MESSAGE_STALLED if self.stalled else llm.MESSAGE_TIMEOUT) from None
        if isinstance(exc, OSError | HTTPException):
            logger.warning("LLM server %s broke the connection: %s", self.origin, type(exc).__name__)
            raise LLMError(MESSAGE_CUT_OFF if self.stalled else llm.MESSAGE_CANNOT_CONNECT) from None
        if isinstance(exc, ValueError):
            logger.error("LLM base URL for %s is not a usable address", self.origin)
            raise LLMError(llm.MESSAGE_INVALID_BASE_URL) from None
        return False
