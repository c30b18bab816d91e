"""What every conversation with the language model server shares: the messages for the page,
the error they travel in, the key and the messages sent for one question.

Requests go through `workspaces.outgoing` (the streaming client is `llm_stream`). Every
failure becomes an `LLMError` whose message can be shown to the person who asked; the
details go to the log. The API key is never part of a message or a log line.
"""

from django.conf import settings
from django.utils.translation import gettext_noop

from accounts.base import DocentError
from settings_app.services import setting_get
from workspaces.documents.locations import location_label
from workspaces.outgoing import ServerKey, status_text

MESSAGE_NOT_CONFIGURED = (
    "The language model server is not configured. Ask an administrator to set its address and model."
)
MESSAGE_INVALID_BASE_URL = (
    "The language model server address must be an http:// or https:// address. Ask an administrator to fix it."
)
MESSAGE_TIMEOUT = gettext_noop("The language model server did not answer in time. Please try again in a moment.")
MESSAGE_CANNOT_CONNECT = gettext_noop("Docent could not reach the language model server. Please try again later.")
MESSAGE_BAD_STATUS = "The language model server answered {status}."
MESSAGE_MALFORMED = gettext_noop("The language model server sent an answer Docent could not read.")
MESSAGE_EMPTY_ANSWER = gettext_noop("The language model server sent an empty answer.")
MESSAGE_TOO_LARGE = gettext_noop("The language model server sent an answer too large to show.")

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
NO_PASSAGES_NOTE = "No passage of this workspace's documents matches the question."


class LLMError(DocentError):
    """A failed completion, with a message fit for the person who asked.

    `upstream_status` is the HTTP status the model server answered, when it answered."""

    default_code = "provider_failed"

    def __init__(self, message: str, *, upstream_status: int | None = None):
        super().__init__(message)
        self.upstream_status = upstream_status


def bad_status_message(status: int) -> str:
    """"The language model server answered 401 Unauthorized.": the status and its standard reason."""
    return MESSAGE_BAD_STATUS.format(status=status_text(status))


def stored_key() -> ServerKey | None:
    """LLM_API_KEY, bound to LLM_API_KEY_ORIGIN, else to the origin of the `llm_base_url` setting:
    the only server it goes to."""
    address = settings.LLM_API_KEY_ORIGIN or setting_get("llm_base_url")
    return ServerKey.for_address(secret=settings.LLM_API_KEY, address=address)


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
