"""Choices the workspace row stores about answering; stated once, read by models, forms and the admin.
(The provider is `settings_app.choices.ChatProvider`: a system setting offers the same choice.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatMode(models.TextChoices):
    CHAT = "chat", _("Chat (keeps the conversation)")
    QUERY = "query", _("Query (answers only from documents)")


class ChatState(models.TextChoices):
    ANSWERING = "answering", _("Answering")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")


class ChatRating(models.IntegerChoices):
    UP = 1, _("Thumbs up")
    DOWN = -1, _("Thumbs down")
