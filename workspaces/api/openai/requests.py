"""What a `POST /chat/completions` body asks, read strictly: any body that is not a request
Docent can answer is refused with a message naming the field (400), never a 500.

The last message is the question; earlier user messages each followed by an assistant
message are the history. System (and developer) messages are ignored: the workspace's own
system prompt, set by its owners, decides how its documents are used and cited, and a key
that may only ask must not override it (a member on the site cannot either). Tool messages
are ignored too (Docent calls no tools). Every other field (temperature, max_tokens, …) is
accepted and ignored: the workspace's settings decide.
"""

import json
from dataclasses import dataclass, field

from accounts.base import DocentError, ErrorCode

BODY_NOT_JSON = "The body must be a JSON object."
MODEL_MISSING = "`model` must be the id of a workspace (GET /models lists them)."
MESSAGES_MISSING = "`messages` must be a non-empty list."
MESSAGE_MALFORMED = "messages[%(index)d] must be an object with a role (%(roles)s) and text content."
CONTENT_NOT_TEXT = "messages[%(index)d] holds content other than text; Docent answers text only."
LAST_NOT_USER = "The last message must be the user's question."
STREAM_NOT_BOOLEAN = "`stream` must be true or false."
STREAM_OPTIONS_MALFORMED = "`stream_options` must be an object whose `include_usage` is true or false."

IGNORED_ROLES = frozenset({"system", "developer", "tool"})
ROLES = ("system", "developer", "user", "assistant", "tool")


@dataclass(frozen=True)
class CompletionRequest:
    model: str
    prompt: str
    history: list[tuple[str, str]] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False


def completion_request_read(raw: bytes) -> CompletionRequest:
    """The request in `raw` (the body), or a DocentError (code `invalid`) saying what is wrong."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        body = None
    if not isinstance(body, dict):
        raise _invalid(BODY_NOT_JSON)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _invalid(MODEL_MISSING)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _invalid(MESSAGES_MISSING)
    turns = [_turn(index, message) for index, message in enumerate(messages)]
    if turns[-1][0] != "user":
        raise _invalid(LAST_NOT_USER)
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise _invalid(STREAM_NOT_BOOLEAN)
    return CompletionRequest(
        model=model.strip(), prompt=turns[-1][1], history=_history(turns[:-1]), stream=stream,
        include_usage=_include_usage(body.get("stream_options")),
    )


def _invalid(message: str) -> DocentError:
    return DocentError(message, code=ErrorCode.INVALID)


def _turn(index: int, message) -> tuple[str, str]:
    """(role, text) of one message; content may be a string or a list of text parts."""
    malformed = _invalid(MESSAGE_MALFORMED % {"index": index, "roles": ", ".join(ROLES)})
    if not isinstance(message, dict) or message.get("role") not in ROLES:
        raise malformed
    content = message.get("content")
    if content is None and message["role"] in ("assistant", *IGNORED_ROLES):
        return message["role"], ""  # an assistant turn that only called tools
    if isinstance(content, str):
        return message["role"], content
    if not isinstance(content, list) or not content:
        raise malformed
    texts = []
    for part in content:
        if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise _invalid(CONTENT_NOT_TEXT % {"index": index})
        texts.append(part["text"])
    return message["role"], "\n".join(texts)


def _history(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each user message answered by the assistant message right after it, oldest first."""
    pairs, question = [], None
    for role, text in turns:
        if role == "user":
            question = text
        elif role == "assistant" and question is not None:
            pairs.append((question, text))
            question = None
    return pairs


def _include_usage(options) -> bool:
    if options is None:
        return False
    if not isinstance(options, dict) or not isinstance(options.get("include_usage", False), bool):
        raise _invalid(STREAM_OPTIONS_MALFORMED)
    return options.get("include_usage", False)
