"""Choices the workspace row stores about answering; stated once, read by models, forms and the admin.
(The provider is `settings_app.choices.ChatProvider`: a system setting offers the same choice.)"""

from django.db import models


class ChatMode(models.TextChoices):
    CHAT = "chat", "Chat (keeps the conversation)"
    QUERY = "query", "Query (answers only from documents)"


class ChatState(models.TextChoices):
    ANSWERING = "answering", "Answering"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"
    STOPPED = "stopped", "Stopped"


class ChatRating(models.IntegerChoices):
    UP = 1, "Thumbs up"
    DOWN = -1, "Thumbs down"
