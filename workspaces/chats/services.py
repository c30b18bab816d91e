"""Writes on chats: ask (answer and store), clear."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from workspaces import permissions
from workspaces.chats import answering, llm
from workspaces.chats.limits import ChatRefused, limits_check, prompt_check
from workspaces.chats.models import WorkspaceChat
from workspaces.models import Workspace


def chat_history(*, workspace: Workspace, user) -> list[tuple[str, str]]:
    """The asker's last `history_length` included chats as (prompt, answer), oldest first."""
    if workspace.history_length == 0:
        return []
    recent = WorkspaceChat.objects.history_for(user=user, workspace=workspace).order_by("-id")
    chats = list(recent.only("prompt", "response")[: workspace.history_length])
    return [(chat.prompt, chat.answer.text) for chat in reversed(chats)]


def chat_ask(*, workspace: Workspace, user, prompt: str) -> WorkspaceChat:
    """Answer `prompt` and store it as one `workspace_chats` row; on any refusal or
    provider failure raise ChatRefused and store nothing."""
    if not permissions.may(user, permissions.ASK, workspace):
        raise PermissionDenied
    prompt = (prompt or "").strip()
    prompt_check(prompt)
    limits_check(user=user)
    try:
        result = answering.answer(
            workspace=workspace, prompt=prompt, history=chat_history(workspace=workspace, user=user)
        )
    except llm.LLMError as error:
        raise ChatRefused(error.message, code="provider_failed") from None
    with transaction.atomic():
        # Answering took a while: count again with this user's row locked, so questions
        # sent at the same moment cannot all slip under the limits.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        limits_check(user=user)
        return WorkspaceChat.objects.create(
            workspace=workspace, user=user, prompt=prompt, response=result.as_json(), include=True
        )


def chat_clear(*, workspace: Workspace, user) -> int:
    """Hide the user's chats in `workspace` from their page and from answering context;
    the admin chat log keeps them."""
    return WorkspaceChat.objects.history_for(user=user, workspace=workspace).update(include=False)
