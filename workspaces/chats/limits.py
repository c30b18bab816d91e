"""How much one person may ask: prompt length, questions a minute, questions a day.

Counted in the database, so the limits hold across every worker and host.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.base import DocentError
from settings_app.services import setting_get
from workspaces.chats.models import WorkspaceChat

PROMPT_EMPTY = "Type a question first."
PROMPT_TOO_LONG = "Questions can be at most %(limit)d characters; this one has %(length)d."
RATE_LIMITED = "You are asking faster than Docent allows (%(limit)d questions a minute). Wait a moment and ask again."
DAILY_LIMIT_REACHED = "You have asked %(limit)d questions today, the daily limit. Ask again tomorrow."


class ChatRefused(DocentError):
    """The question was not answered; `message` says why and nothing was stored."""


def prompt_check(prompt: str) -> None:
    limit = setting_get("max_prompt_chars")
    if not prompt:
        raise ChatRefused(PROMPT_EMPTY)
    if "\x00" in prompt:
        raise ChatRefused("Questions cannot contain NUL characters.")
    if len(prompt) > limit:
        raise ChatRefused(PROMPT_TOO_LONG % {"limit": limit, "length": len(prompt)})


def limits_check(*, user) -> None:
    now = timezone.now()
    per_minute = settings.CHAT_RATE_LIMIT_PER_MINUTE
    asked_last_minute = WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(minutes=1))
    if per_minute and asked_last_minute.count() >= per_minute:
        raise ChatRefused(RATE_LIMITED % {"limit": per_minute}, code="rate_limited")
    daily = setting_get("daily_message_limit")
    if daily and WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(days=1)).count() >= daily:
        raise ChatRefused(DAILY_LIMIT_REACHED % {"limit": daily}, code="rate_limited")
