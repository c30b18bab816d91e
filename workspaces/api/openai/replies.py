"""The bodies Docent answers with, in OpenAI's shapes: the model list, a whole completion,
the streamed chunks (Server-Sent Events), and errors.

`usage` carries the token counts the model server reported. The built-in provider calls no
model, and a server may report none: then the counts are estimated at one token per four
characters (OpenAI's rule of thumb for English text), the prompt being the question and the
earlier turns used, the completion the answer's text.
"""

import json
import math
from http import HTTPStatus

from django.http import JsonResponse

from workspaces.chats.answer import StoredAnswer
from workspaces.documents.models import passage_url

OWNER = "docent"
CHARS_PER_TOKEN = 4
FINISH_STOP = "stop"
DONE = "data: [DONE]\n\n"
ERROR_TYPES = {
    HTTPStatus.BAD_REQUEST: "invalid_request_error",
    HTTPStatus.UNAUTHORIZED: "authentication_error",
    HTTPStatus.FORBIDDEN: "permission_error",
    HTTPStatus.NOT_FOUND: "not_found_error",
    HTTPStatus.METHOD_NOT_ALLOWED: "invalid_request_error",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "invalid_request_error",
    HTTPStatus.TOO_MANY_REQUESTS: "rate_limit_error",
}


def model_object(workspace) -> dict:
    return {"id": workspace.slug, "object": "model", "created": int(workspace.created_at.timestamp()),
            "owned_by": OWNER, "name": workspace.name}


def error_body(*, message: str, code: str, status: int) -> dict:
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "api_error"), "code": code,
                      "param": None}}


def error_response(*, message: str, code: str, status: int, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(message=message, code=code, status=status), status=status, headers=headers)


def completion_id(chat) -> str:
    return f"chatcmpl-{chat.pk}"


def sources_of(answer: StoredAnswer, *, workspace_slug: str, absolute) -> list[dict]:
    """The answer's sources, numbered as its citations ([1] is the first): the file, its pages,
    section, the address of the passage in Docent (`absolute` makes a path a full URL) and the text."""
    return [
        {
            "number": number,
            "document_id": source.doc_id,
            "file": source.filename,
            "pages": {"first": source.page_start, "last": source.page_end or source.page_start}
            if source.page_start is not None else None,
            "section": source.section,
            "label": source.label,
            "url": absolute(passage_url(workspace_slug=workspace_slug, doc_id=source.doc_id,
                                        position=source.position)) if source.position is not None else None,
            "text": source.quote,
        }
        for number, source in enumerate(answer.sources, start=1)
    ]


def estimated_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def usage_of(answer: StoredAnswer, *, prompt: str, history: list[tuple[str, str]]) -> dict:
    """The counts the server reported, each estimated when it reported none (see the module)."""
    asked = prompt + "".join(question + reply for question, reply in history)
    prompt_tokens = answer.usage.get("prompt_tokens", estimated_tokens(asked))
    completion_tokens = answer.usage.get("completion_tokens", estimated_tokens(answer.text))
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def completion(chat, *, model: str, usage: dict, sources: list[dict]) -> dict:
    return {
        "id": completion_id(chat), "object": "chat.completion", "created": int(chat.created_at.timestamp()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": chat.answer.text},
                     "finish_reason": FINISH_STOP, "logprobs": None}],
        "usage": usage, "sources": sources,
    }


def chunk(chat, *, model: str, delta: dict | None = None, finish_reason: str | None = None, **extra) -> dict:
    """One `chat.completion.chunk`; with no `delta` and no `finish_reason`, the usage chunk (no choices)."""
    choices = [] if delta is None and finish_reason is None else [
        {"index": 0, "delta": delta or {}, "finish_reason": finish_reason, "logprobs": None}
    ]
    return {"id": completion_id(chat), "object": "chat.completion.chunk", "created": int(chat.created_at.timestamp()),
            "model": model, "choices": choices, **extra}


def event(data: dict) -> str:
    return f"data: {json.dumps(data)}\n\n"
