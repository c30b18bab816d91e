"""Conversations: a member's threads in a workspace and the turns shown in one.

A thread holds chats; a turn is one question with its answers: the first chat
asked and the chats that regenerated it or answered its edited question
(`version_of` points at the first). The conversation shows each turn's latest
answer unless another version is asked for, and answers follow-ups from the
thread's earlier turns only.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.base import DocentError, ErrorCode
from workspaces.chats.choices import ChatState
from workspaces.chats.models import TITLE_CHARS, ChatThread, WorkspaceChat

THREAD_NOT_FOUND = "This conversation does not exist, or it was deleted."
TITLE_EMPTY = "Give the conversation a title."
TITLE_TOO_LONG = f"Titles can be at most {TITLE_CHARS} characters."
UNTITLED = "Conversation"


class ThreadRefused(DocentError):
    """A conversation could not be found or changed; `message` says why."""


def thread_title_from(prompt: str) -> str:
    """The first question on one line, cut at a word when longer than a title may be."""
    text = " ".join((prompt or "").split())
    if len(text) <= TITLE_CHARS:
        return text or UNTITLED
    cut = text[:TITLE_CHARS]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut[: TITLE_CHARS - 1].rstrip() + "…"


def thread_get(*, workspace, user, pk) -> ChatThread:
    """The member's own visible thread `pk` in `workspace`, or ThreadRefused (not found)."""
    try:
        return ChatThread.objects.listed_for(user=user, workspace=workspace).get(pk=int(pk))
    except (ChatThread.DoesNotExist, TypeError, ValueError):
        raise ThreadRefused(THREAD_NOT_FOUND, code=ErrorCode.NOT_FOUND) from None


def thread_latest(*, workspace, user) -> ChatThread | None:
    return ChatThread.objects.listed_for(user=user, workspace=workspace).first()


def thread_create(*, workspace, user, prompt: str) -> ChatThread:
    return ChatThread.objects.create(workspace=workspace, user=user, title=thread_title_from(prompt))


def thread_asked(*, thread: ChatThread) -> None:
    """A question was just asked in `thread`: it moves to the top of the list."""
    ChatThread.objects.filter(pk=thread.pk).update(last_asked_at=timezone.now())


def thread_rename(*, thread: ChatThread, title: str) -> ChatThread:
    title = " ".join((title or "").split())
    if not title:
        raise ThreadRefused(TITLE_EMPTY)
    if len(title) > TITLE_CHARS:
        raise ThreadRefused(TITLE_TOO_LONG)
    thread.title = title
    thread.save(update_fields=["title", "last_updated_at"])
    return thread


@transaction.atomic
def thread_delete(*, thread: ChatThread) -> int:
    """Hide the thread and its chats from the member (list, page, follow-ups, export);
    the admin chat log keeps them, as it keeps cleared chats. The number of chats hidden."""
    ChatThread.objects.filter(pk=thread.pk).update(include=False)
    return WorkspaceChat.objects.filter(thread=thread, include=True).update(include=False)


@transaction.atomic
def threads_clear(*, workspace, user) -> int:
    """Hide every thread and chat of the member in `workspace` (the page's Clear all)."""
    ChatThread.objects.filter(workspace=workspace, user=user, include=True).update(include=False)
    return WorkspaceChat.objects.history_for(user=user, workspace=workspace).update(include=False)


def turn_anchor(chat: WorkspaceChat) -> str:
    """The id on the chat page of the turn `chat` belongs to (links and the stream find it by it):
    its first question's."""
    return f"chat-{chat.version_of_id or chat.pk}"


@dataclass
class Turn:
    """One question and its answers, oldest first; `shown` is the one on the page."""

    versions: list[WorkspaceChat]
    shown: WorkspaceChat
    html: str = ""  # how the chat page shows it, set by the page (workspaces.chats.turn_html)

    @property
    def anchor(self) -> str:
        return turn_anchor(self.versions[0])

    @property
    def number_shown(self) -> int:
        return self.versions.index(self.shown) + 1

    @property
    def previous(self) -> WorkspaceChat | None:
        index = self.versions.index(self.shown)
        return self.versions[index - 1] if index else None

    @property
    def next(self) -> WorkspaceChat | None:
        index = self.versions.index(self.shown)
        return self.versions[index + 1] if index + 1 < len(self.versions) else None


def turn_roots(thread: ChatThread):
    """The first chat of each visible turn, newest first (what the page paginates)."""
    return thread.chats.filter(include=True, version_of__isnull=True).order_by("-id")


def turns_of(*, thread: ChatThread, roots: list[WorkspaceChat], shown_pk: int | None = None,
             later: list[WorkspaceChat] | None = None) -> list[Turn]:
    """The turns of `roots` (oldest first) with all their versions, in one query (none when the
    caller has the `later` versions already); each shows its latest version, or chat `shown_pk`
    when it is one of that turn's versions."""
    root_ids = [root.pk for root in roots]
    if later is None:
        later = thread.chats.filter(include=True, version_of__in=root_ids).order_by("id") if root_ids else []
    versions = {root.pk: [root] for root in roots}
    for chat in later:
        versions[chat.version_of_id].append(chat)
    turns = []
    for root in sorted(roots, key=lambda chat: chat.pk):
        chats = versions[root.pk]
        shown = next((chat for chat in chats if chat.pk == shown_pk), chats[-1])
        turns.append(Turn(versions=chats, shown=shown))
    return turns


def thread_history(*, chat: WorkspaceChat, length: int) -> list[tuple[str, str]]:
    """The turns of `chat`'s thread before its own, as (question, answer) pairs, oldest first:
    each turn's latest complete answer, at most `length` turns."""
    if length == 0 or chat.thread_id is None:
        return []
    root_id = chat.version_of_id or chat.pk
    earlier = (
        WorkspaceChat.objects.filter(thread_id=chat.thread_id, include=True, state=ChatState.COMPLETE)
        .exclude(pk=chat.pk)
        .values_list("id", "version_of_id")
        .order_by("id")
    )
    latest: dict[int, int] = {}  # a turn's first chat -> its latest complete version
    for other_id, other_root in earlier:
        if (other_root or other_id) < root_id:
            latest[other_root or other_id] = other_id
    chosen = [latest[key] for key in sorted(latest)][-length:]
    turns = WorkspaceChat.objects.filter(pk__in=chosen).only("id", "version_of_id", "prompt", "response")
    by_root = {turn.version_of_id or turn.pk: turn for turn in turns}
    return [(by_root[key].prompt, by_root[key].answer.text) for key in sorted(by_root)]
