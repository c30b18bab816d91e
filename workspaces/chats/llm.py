"""A client for any server speaking the OpenAI `POST <base_url>/chat/completions` protocol.

Standard library only. Every failure becomes an `LLMError` whose message can
be shown to the person who asked; the details go to the log. The API key is
never part of a message or a log line.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from accounts.base import DocentError
from workspaces.documents.locations import location_label

logger = logging.getLogger(__name__)

MESSAGE_NOT_CONFIGURED = (
    "The language model server is not configured. Ask an administrator to set its address and model."
)
MESSAGE_INVALID_BASE_URL = (
    "The language model server address must be an http:// or https:// address. Ask an administrator to fix it."
)
MESSAGE_TIMEOUT = "The language model server did not answer in time. Please try again in a moment."
MESSAGE_CANNOT_CONNECT = "Docent could not reach the language model server. Please try again later."
MESSAGE_BAD_STATUS = "The language model server answered with an error (HTTP {status})."
MESSAGE_MALFORMED = "The language model server sent an answer Docent could not read."
MESSAGE_EMPTY_ANSWER = "The language model server sent an empty answer."
MESSAGE_TOO_LARGE = "The language model server sent an answer too large to show."

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
ERROR_EXCERPT_BYTES = 500
READ_CHUNK_BYTES = 64 * 1024
ALLOWED_SCHEMES = ("http", "https")
NO_PASSAGES_NOTE = "No passage of this workspace's documents matches the question."


class LLMError(DocentError):
    """A failed completion, with a message fit for the person who asked.

    `upstream_status` is the HTTP status the model server answered, when it answered."""

    default_code = "provider_failed"

    def __init__(self, message: str, *, upstream_status: int | None = None):
        super().__init__(message)
        self.upstream_status = upstream_status


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    usage: dict | None
    elapsed_ms: int


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: urllib would resend the Authorization header
    to wherever the server points, and an API endpoint has no reason to move."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def chat_completion(
    *, base_url: str, model: str, messages: list[dict], api_key: str = "", timeout: float
) -> Completion:
    """Ask the server at `base_url` (the API root including /v1) for one completion.

    `timeout` bounds the whole exchange, not only each socket read, so a
    server that trickles its answer cannot hold a request open indefinitely.
    """
    base_url, model, api_key = (base_url or "").strip(), (model or "").strip(), (api_key or "").strip()
    if not base_url or not model:
        raise LLMError(MESSAGE_NOT_CONFIGURED)
    origin = _checked_origin(base_url)
    if api_key and not api_key.isprintable():
        logger.error("LLM API key contains characters not allowed in a header; it was not sent")
        raise LLMError(MESSAGE_NOT_CONFIGURED)

    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http or https above
        base_url.rstrip("/") + "/chat/completions",
        data=json.dumps({"model": model, "messages": messages, "stream": False}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "Docent"},
    )
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")

    started = time.monotonic()
    deadline = started + timeout
    try:
        with _opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                logger.warning("LLM server %s answered HTTP %s", origin, response.status)
                raise LLMError(MESSAGE_BAD_STATUS.format(status=response.status), upstream_status=response.status)
            body = _read_limited(response, deadline=deadline, origin=origin)
    except urllib.error.HTTPError as exc:
        excerpt = _error_excerpt(exc, api_key)
        logger.warning("LLM server %s answered HTTP %s for model %r: %s", origin, exc.code, model, excerpt)
        raise LLMError(MESSAGE_BAD_STATUS.format(status=exc.code), upstream_status=exc.code) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            logger.warning("LLM server %s timed out after %.1fs while connecting", origin, timeout)
            raise LLMError(MESSAGE_TIMEOUT) from None
        logger.warning("LLM server %s could not be reached: %s", origin, exc.reason)
        raise LLMError(MESSAGE_CANNOT_CONNECT) from None
    except TimeoutError:
        logger.warning("LLM server %s timed out after %.1fs", origin, timeout)
        raise LLMError(MESSAGE_TIMEOUT) from None
    except (OSError, HTTPException) as exc:
        logger.warning("LLM server %s broke the connection: %s", origin, type(exc).__name__)
        raise LLMError(MESSAGE_CANNOT_CONNECT) from None
    except ValueError:
        # http.client refuses a malformed host or port only once it connects.
        logger.error("LLM base URL for %s is not a usable address", origin)
        raise LLMError(MESSAGE_INVALID_BASE_URL) from None

    text, reported_model, usage = _parse_completion(body, requested_model=model, origin=origin, api_key=api_key)
    return Completion(
        text=text, model=reported_model, usage=usage, elapsed_ms=round((time.monotonic() - started) * 1000)
    )


def build_messages(
    *, system_prompt: str, history: list[tuple[str, str]], passages: list[dict], prompt: str
) -> list[dict]:
    """The messages for one question.

    `passages` are dicts with `filename`, `position` and `text`, and optionally
    `page_start`, `page_end` and `section`; they are numbered from 1 in the system
    message so the model can cite them as [1], each named by its page and section
    when it has them (what a reader looks for), else by its passage number.
    `history` holds (prompt, answer) pairs, oldest first; a pair without an
    answer is left out, because many chat templates require user and
    assistant turns to alternate.
    """
    if passages:
        numbered = (
            f"[{number}] {_passage_label(passage)}: {passage['text']}"
            for number, passage in enumerate(passages, start=1)
        )
        context = "\n\n".join(numbered)
    else:
        context = NO_PASSAGES_NOTE
    messages = [{"role": "system", "content": f"{system_prompt.strip()}\n\nContext:\n{context}".lstrip()}]
    for earlier_prompt, earlier_answer in history:
        if earlier_prompt.strip() and earlier_answer.strip():
            messages.append({"role": "user", "content": earlier_prompt})
            messages.append({"role": "assistant", "content": earlier_answer})
    messages.append({"role": "user", "content": prompt})
    return messages


def _passage_label(passage: dict) -> str:
    """"handbook.pdf, p. 3, section “Leave”", or "notes.txt, passage 2" when it has neither."""
    parts = [passage["filename"]]
    pages = location_label(page_start=passage.get("page_start"), page_end=passage.get("page_end"))
    if pages:
        parts.append(pages)
    if passage.get("section"):
        parts.append(f"section “{passage['section']}”")
    if len(parts) == 1:
        parts.append(f"passage {passage['position']}")
    return ", ".join(parts)


def _checked_origin(base_url: str) -> str:
    """`scheme://host:port` of an acceptable base URL, safe to log (no credentials, no path)."""
    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        raise LLMError(MESSAGE_INVALID_BASE_URL) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname or parts.username or parts.password:
        raise LLMError(MESSAGE_INVALID_BASE_URL)
    return f"{parts.scheme.lower()}://{parts.hostname}" + (f":{port}" if port else "")


def _read_limited(response, *, deadline: float, origin: str) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            logger.warning("LLM server %s sent more than %d bytes; answer dropped", origin, MAX_RESPONSE_BYTES)
            raise LLMError(MESSAGE_TOO_LARGE)
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


def _error_excerpt(error: urllib.error.HTTPError, api_key: str) -> str:
    """The start of an error body for the log, with the key masked: some servers echo it back."""
    try:
        excerpt = error.read(ERROR_EXCERPT_BYTES).decode("utf-8", "replace")
    except (OSError, HTTPException):
        excerpt = ""
    finally:
        error.close()
    return _masked(" ".join(excerpt.split()), api_key)


def _masked(text: str, api_key: str) -> str:
    return text.replace(api_key, "[key]") if api_key else text


def _parse_completion(body: bytes, *, requested_model: str, origin: str, api_key: str) -> tuple[str, str, dict | None]:
    """(text, model, usage) from a completion body; the server's model name when it gives one."""
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        excerpt = _masked(body[:ERROR_EXCERPT_BYTES].decode("utf-8", "replace"), api_key)
        logger.warning("LLM server %s sent an unreadable answer: %r", origin, excerpt)
        raise LLMError(MESSAGE_MALFORMED) from None
    if content is not None and not isinstance(content, str):
        logger.warning("LLM server %s sent message content of type %s", origin, type(content).__name__)
        raise LLMError(MESSAGE_MALFORMED)
    content = (content or "").replace("\x00", "")  # PostgreSQL's JSON refuses NUL
    if not content.strip():
        raise LLMError(MESSAGE_EMPTY_ANSWER)
    reported_model = data.get("model")
    if isinstance(reported_model, str):
        reported_model = reported_model.replace("\x00", "")[:120]
    usage = data.get("usage")
    return (
        content.strip(),
        reported_model if isinstance(reported_model, str) and reported_model else requested_model,
        usage if isinstance(usage, dict) else None,
    )
