"""How much one person may ask: prompt length, questions a minute, questions a day.

Counted in the database, so the limits hold across every worker and host.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.base import DocentError
from settings_app.services import setting_get
from workspaces.chats.models import WorkspaceChat

PROMPT_EMPTY = gettext_noop("Type a question first.")
PROMPT_TOO_LONG = gettext_noop("Questions can be at most %(limit)d characters; this one has %(length)d.")
RATE_LIMITED = gettext_noop(
    "You are asking faster than Docent allows (%(limit)d questions a minute). Wait a moment and ask again."
)
DAILY_LIMIT_REACHED = gettext_noop(
    "You have asked %(questions)s today, your daily limit. You can ask again from %(resets)s."
)
PROMPT_NUL = gettext_noop("Questions cannot contain NUL characters.")
QUESTIONS_LEFT = gettext_noop("%(left)d question left today (the count starts again at %(resets)s).")
QUESTIONS_LEFT_PLURAL = "%(left)d questions left today (the count starts again at %(resets)s)."


class ChatRefused(DocentError):
    """The question was not answered; `message` says why and nothing was stored."""


def prompt_check(prompt: str) -> None:
    limit = setting_get("max_prompt_chars")
    if not prompt:
        raise ChatRefused(PROMPT_EMPTY)
    if "\x00" in prompt:
        raise ChatRefused(gettext(PROMPT_NUL))
    if len(prompt) > limit:
        raise ChatRefused(gettext(PROMPT_TOO_LONG) % {"limit": limit, "length": len(prompt)})


def limits_check(*, user) -> None:
    now = timezone.now()
    per_minute = settings.CHAT_RATE_LIMIT_PER_MINUTE
    asked_last_minute = WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(minutes=1))
    if per_minute and asked_last_minute.count() >= per_minute:
        raise ChatRefused(gettext(RATE_LIMITED) % {"limit": per_minute}, code="rate_limited")
    quota = daily_quota(user=user, now=now)
    if quota is not None and quota.left == 0:
        raise ChatRefused(quota.message, code="quota")


@dataclass(frozen=True)
class DailyQuota:
    """Questions a person may still ask today. "Today" is the calendar day in TIME_ZONE."""

    limit: int
    used: int
    resets_at: datetime

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def resets_label(self) -> str:
        local = timezone.localtime(self.resets_at)
        return gettext("%(time)s (%(zone)s) on %(day)s") % {
            "time": f"{local:%H:%M}", "zone": timezone.get_current_timezone_name(), "day": date_format(local, "j M"),
        }

    @property
    def message(self) -> str:
        """What the page says under the question box; once none are left, why Ask is off."""
        if self.left == 0:
            questions = ngettext("%(count)d question", "%(count)d questions", self.limit) % {"count": self.limit}
            return gettext(DAILY_LIMIT_REACHED) % {"questions": questions, "resets": self.resets_label}
        return ngettext(QUESTIONS_LEFT, QUESTIONS_LEFT_PLURAL, self.left) % {
            "left": self.left, "resets": self.resets_label,
        }


def daily_limit_for(user) -> int:
    """The user's own limit when set (0: none), else the daily_message_limit setting."""
    own = getattr(user, "daily_message_limit", None)
    return setting_get("daily_message_limit") if own is None else own


def daily_quota(*, user, now: datetime | None = None) -> DailyQuota | None:
    """Today's quota for `user`; None when no limit applies to them."""
    limit = daily_limit_for(user)
    if not limit:
        return None
    now = now or timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    resets_at = timezone.make_aware(datetime.combine(day_start.date() + timedelta(days=1), datetime.min.time()))
    used = WorkspaceChat.objects.filter(user=user, created_at__gte=day_start).count()
    return DailyQuota(limit=limit, used=used, resets_at=resets_at)
