"""Writes on chats: ask (store the question, then answer it as it streams), clear.

A question is a `workspace_chats` row from the start: `chat_start` stores it as
`answering` (after the limits, counted under a lock on the asker's row, so
questions sent at the same moment cannot slip past them), and `chat_answer`
fills it in as the answer arrives, ending `complete`, `failed` (what arrived
plus the reason) or `stopped`. The stream holds no database connection while it
waits for the model.
"""

import time
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from workspaces import permissions
from workspaces.chats import answering, citation_pages, llm
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.choices import ChatState
from workspaces.chats.limits import ChatRefused, limits_check, prompt_check
from workspaces.chats.models import WorkspaceChat
from workspaces.models import Workspace

STOPPED_REASON = gettext_noop("Stopped before the answer was complete.")
INTERRUPTED_REASON = gettext_noop("The answer was interrupted by an error in Docent.")


def chat_history(*, workspace: Workspace, user) -> list[tuple[str, str]]:
    """The asker's last `history_length` included, complete chats as (prompt, answer), oldest first."""
    if workspace.history_length == 0:
        return []
    recent = WorkspaceChat.objects.history_for(user=user, workspace=workspace).filter(state=ChatState.COMPLETE)
    chats = list(recent.order_by("-id").only("prompt", "response")[: workspace.history_length])
    return [(chat.prompt, chat.answer.text) for chat in reversed(chats)]


def chat_start(*, workspace: Workspace, user, prompt: str) -> WorkspaceChat:
    """Store `prompt` as a chat in state `answering`, or raise ChatRefused and store nothing.
    The limits count every stored question, those still being answered included."""
    if not permissions.may(user, permissions.ASK, workspace):
        raise PermissionDenied
    prompt = (prompt or "").strip()
    prompt_check(prompt)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        limits_check(user=user)
        # Private if the page the question came from said so, or if the setting is on now.
        private = workspace.private_chats or Workspace.objects.filter(pk=workspace.pk, private_chats=True).exists()
        return WorkspaceChat.objects.create(
            workspace=workspace, user=user, prompt=prompt, include=True, state=ChatState.ANSWERING, private=private,
            response=StoredAnswer(state=ChatState.ANSWERING).as_json(),
        )


def history_within_length(*, workspace: Workspace, history: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The last `history_length` of the (prompt, answer) pairs a caller sent (the API's `messages`),
    the same number of earlier turns the site sends from the stored chats."""
    if workspace.history_length == 0:
        return []
    return list(history)[-workspace.history_length:]


def chat_answer(*, chat: WorkspaceChat, history: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """Answer a chat `chat_start` stored, yielding the text as it arrives; when the stream ends
    `chat` holds the stored end state. Closing the iterator early (the browser went away or
    pressed Stop) stores the chat as `stopped` with the text that had arrived.
    `history` is the earlier turns as (prompt, answer) pairs, oldest first, when the caller
    brings its own (the OpenAI-compatible API); by default the asker's stored chats."""
    started = time.perf_counter()
    try:
        if history is None:
            history = chat_history(workspace=chat.workspace, user=chat.user)
        else:
            history = history_within_length(workspace=chat.workspace, history=history)
        stream = answering.answer_stream(workspace=chat.workspace, prompt=chat.prompt, history=history)
    except Exception:
        _store_failure_before_answering(chat)
        raise
    if stream.completion is not None:
        _release_database_connection()  # a model server is about to be waited for
    text, state, reason = "", ChatState.FAILED, INTERRUPTED_REASON
    try:
        for delta in stream.chunks:
            text += delta
            yield delta
        state, reason = ChatState.COMPLETE, ""
    except llm.LLMError as error:
        reason = error.message
    except GeneratorExit:
        state, reason = ChatState.STOPPED, STOPPED_REASON
        raise
    finally:
        stream.close()
        _store_end(chat, stream, text=text, state=state, reason=reason, started=started)


def chat_ask(*, workspace: Workspace, user, prompt: str) -> WorkspaceChat:
    """Store and answer `prompt` in one go (the page without JavaScript). A provider failure
    is stored with its reason and then raised as ChatRefused for the page to show."""
    chat = chat_start(workspace=workspace, user=user, prompt=prompt)
    for _ in chat_answer(chat=chat):
        pass
    if chat.state == ChatState.FAILED:
        raise ChatRefused(chat.answer.reason, code="provider_failed")
    return chat


def chat_clear(*, workspace: Workspace, user) -> int:
    """Hide the user's chats in `workspace` from their page and from answering context;
    the admin chat log keeps them."""
    return WorkspaceChat.objects.history_for(user=user, workspace=workspace).update(include=False)


def _release_database_connection() -> None:
    """Waiting for a model holds no database connection: the next query opens a new one.
    (Inside a transaction, as in most tests, the connection must stay.)"""
    if not connection.in_atomic_block:
        connection.close()


def _store_failure_before_answering(chat) -> None:
    """Retrieval itself broke (a bug, a database error): the question must not stay `answering`."""
    chat.state = ChatState.FAILED
    chat.response = StoredAnswer(state=ChatState.FAILED, reason=INTERRUPTED_REASON).as_json()
    chat.save(update_fields=["state", "response", "last_updated_at"])


def _store_end(chat, stream, *, text, state, reason, started) -> None:
    chat.state = state
    total_ms = round((time.perf_counter() - started) * 1000)
    timings = {"retrieval_ms": stream.retrieval_ms, "total_ms": total_ms}
    if stream.first_token_ms is not None:
        timings["first_token_ms"] = stream.first_token_ms
    chat.response = StoredAnswer(
        text=text.strip() if state == ChatState.COMPLETE else text,
        sources=citation_pages.sources_with_pages(sources=stream.sources, text=text),
        provider=stream.provider,
        model=stream.model,
        timings=timings,
        state=state,
        reason=reason,
        usage=stream.usage,
    ).as_json()
    # The columns copy the stored answer's cleaned counts, so the admin can sum them.
    chat.prompt_tokens = chat.answer.usage.get("prompt_tokens")
    chat.completion_tokens = chat.answer.usage.get("completion_tokens")
    # What Insights counts: an answer citing no document is a refusal, however it was worded.
    chat.refused = state == ChatState.COMPLETE and not stream.sources
    chat.relevance = stream.relevance
    chat.answer_ms = total_ms if state == ChatState.COMPLETE else None
    chat.save(update_fields=["state", "response", "prompt_tokens", "completion_tokens", "refused", "relevance",
                             "answer_ms", "last_updated_at"])
