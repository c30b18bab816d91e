"""Writes on chats: ask (store the question, then answer it as it streams), rate, clear.

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
from django.utils.translation import gettext, gettext_noop

from workspaces import permissions
from workspaces.chats import answering, citation_pages, llm, threads
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.choices import ChatRating, ChatState
from workspaces.chats.limits import ChatRefused, limits_check, prompt_check
from workspaces.chats.models import ChatThread, WorkspaceChat
from workspaces.chats.rendering import render_markdown
from workspaces.models import Workspace

STOPPED_REASON = gettext_noop("Stopped before the answer was complete.")
INTERRUPTED_REASON = gettext_noop("The answer was interrupted by an error in Docent.")
FALLBACK_NOTE = gettext_noop(
    "The language model could not answer ({reason}); this is Docent's built-in answer, quoted from the passages."
)
VERSION_NOT_FOUND = gettext_noop("This answer does not exist, or it was deleted.")
FEEDBACK_TOO_LONG = gettext_noop("Comments can be at most %(limit)d characters.")
FEEDBACK_CHARS = 2000


def chat_history(*, chat: WorkspaceChat) -> list[tuple[str, str]]:
    """The earlier turns of the chat's thread as (prompt, answer), oldest first (at most
    the workspace's `history_length`)."""
    return threads.thread_history(chat=chat, length=chat.workspace.history_length)


def chat_start(*, workspace: Workspace, user, prompt: str, thread: ChatThread | None = None,
               version_of: WorkspaceChat | None = None, continue_latest: bool = False) -> WorkspaceChat:
    """Store `prompt` as a chat in state `answering`, or raise ChatRefused and store nothing.
    The limits count every stored question, those still being answered included.

    The chat joins `thread`; without one, the member's latest thread when `continue_latest`
    (the APIs), else a new thread titled with the question. With `version_of` (one of the
    member's chats) it is another answer to that turn: regenerated, or for the edited question."""
    if not permissions.may(user, permissions.ASK, workspace):
        raise PermissionDenied
    prompt = (prompt or "").strip()
    prompt_check(prompt)
    if version_of is not None:
        thread = version_of.thread
        version_of = version_of.version_of or version_of
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        limits_check(user=user)
        # Private if the page the question came from said so, or if the setting is on now.
        private = workspace.private_chats or Workspace.objects.filter(pk=workspace.pk, private_chats=True).exists()
        if thread is None and continue_latest:
            thread = threads.thread_latest(workspace=workspace, user=user)
        if thread is None:
            thread = threads.thread_create(workspace=workspace, user=user, prompt=prompt)
        else:
            threads.thread_asked(thread=thread)
        return WorkspaceChat.objects.create(
            workspace=workspace, user=user, prompt=prompt, include=True, state=ChatState.ANSWERING, private=private,
            response=StoredAnswer(state=ChatState.ANSWERING).as_json(), thread=thread, version_of=version_of,
        )


def chat_version_base(*, workspace: Workspace, user, pk) -> WorkspaceChat:
    """The member's own visible chat `pk`, to regenerate or edit (ChatRefused when not theirs)."""
    try:
        return WorkspaceChat.objects.history_for(user=user, workspace=workspace).select_related(
            "thread", "version_of").get(pk=int(pk), thread__include=True)
    except (WorkspaceChat.DoesNotExist, TypeError, ValueError):
        raise ChatRefused(VERSION_NOT_FOUND, code="not_found") from None


def chat_rate(*, chat: WorkspaceChat, rating: int | None, comment: str = "") -> WorkspaceChat:
    """Thumbs up (1), down (-1) or neither (None) on an answer, with an optional comment."""
    if rating is not None and rating not in ChatRating.values:
        raise ChatRefused("Rate an answer up or down.")
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > FEEDBACK_CHARS:
        raise ChatRefused(gettext(FEEDBACK_TOO_LONG) % {"limit": FEEDBACK_CHARS})
    chat.rating, chat.feedback = rating, comment
    chat.save(update_fields=["rating", "feedback", "last_updated_at"])
    return chat


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
    brings its own (the OpenAI-compatible API); by default the earlier turns of its thread.
    While it streams, `chat.answer` holds the sources (not yet stored), so citations can be linked.
    When the model fails before a word arrives and the workspace falls back to the built-in
    answer, that answer follows, with a note saying so."""
    started = time.perf_counter()
    try:
        if history is None:
            history = chat_history(chat=chat)
        else:
            history = history_within_length(workspace=chat.workspace, history=history)
        stream = answering.answer_stream(workspace=chat.workspace, prompt=chat.prompt, history=history)
    except Exception:
        _store_failure_before_answering(chat)
        raise
    # The sources are stored before the text, so the chips of a streaming answer open their cards.
    chat.response = StoredAnswer(state=ChatState.ANSWERING, sources=stream.sources, provider=stream.provider).as_json()
    chat.save(update_fields=["response"])
    if stream.completion is not None:
        _release_database_connection()  # a model server is about to be waited for
    text, state, reason, note = "", ChatState.FAILED, INTERRUPTED_REASON, ""
    try:
        try:
            for delta in stream.chunks:
                text += delta
                yield delta
        except llm.LLMError as error:
            if text.strip() or not chat.workspace.fallback_to_builtin or stream.completion is None:
                raise
            stream.close()
            note = FALLBACK_NOTE.format(reason=error.message.rstrip("."))
            stream = answering.fallback_stream(stream, workspace=chat.workspace,
                                               prompt=stream.corrected_prompt or chat.prompt, history=history)
            chat.response = StoredAnswer(state=ChatState.ANSWERING, sources=stream.sources,
                                         provider=stream.provider, note=note).as_json()
            chat.save(update_fields=["response"])
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
        _store_end(chat, stream, text=text, state=state, reason=reason, started=started, note=note)


def chat_ask(*, workspace: Workspace, user, prompt: str, **where) -> WorkspaceChat:
    """Store and answer `prompt` in one go (the page without JavaScript). A provider failure
    is stored with its reason and then raised as ChatRefused for the page to show.
    `where`: the thread, version_of and continue_latest of `chat_start`."""
    chat = chat_start(workspace=workspace, user=user, prompt=prompt, **where)
    for _ in chat_answer(chat=chat):
        pass
    if chat.state == ChatState.FAILED:
        raise ChatRefused(chat.answer.reason, code="provider_failed")
    return chat


def chat_clear(*, workspace: Workspace, user) -> int:
    """Hide the user's conversations and chats in `workspace` from their page and from answering
    context; the admin chat log keeps them."""
    return threads.threads_clear(workspace=workspace, user=user)


def _release_database_connection() -> None:
    """Waiting for a model holds no database connection: the next query opens a new one.
    (Inside a transaction, as in most tests, the connection must stay.)"""
    if not connection.in_atomic_block:
        connection.close()


def _store_failure_before_answering(chat) -> None:
    """Retrieval itself broke (a bug, a database error): the question must not stay `answering`."""
    chat.state = ChatState.FAILED
    chat.response = StoredAnswer(state=ChatState.FAILED, reason=INTERRUPTED_REASON).as_json()
    chat.text_html = render_markdown(chat.answer.text)
    chat.save(update_fields=["state", "response", "text_html", "last_updated_at"])


def _store_end(chat, stream, *, text, state, reason, started, note="") -> None:
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
        corrected_prompt=stream.corrected_prompt,
        note=note,
    ).as_json()
    # The columns copy the stored answer's cleaned counts, so the admin can sum them.
    chat.prompt_tokens = chat.answer.usage.get("prompt_tokens")
    chat.completion_tokens = chat.answer.usage.get("completion_tokens")
    # What Insights counts: an answer citing no document is a refusal, however it was worded.
    chat.refused = state == ChatState.COMPLETE and not stream.sources
    chat.relevance = stream.relevance
    chat.answer_ms = total_ms if state == ChatState.COMPLETE else None
    # Rendered once here, on every path an answer ends by (the page, its stream, the APIs): pages show it as stored.
    chat.text_html = render_markdown(chat.answer.text)
    chat.save(update_fields=["state", "response", "prompt_tokens", "completion_tokens", "refused", "relevance",
                             "answer_ms", "text_html", "last_updated_at"])
