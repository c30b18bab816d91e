"""Choices the workspace row stores about answering; stated once, read by models, forms and the admin."""

from django.db import models


class ChatMode(models.TextChoices):
    CHAT = "chat", "Chat (keeps the conversation)"
    QUERY = "query", "Query (answers only from documents)"


class ChatProvider(models.TextChoices):
    RETRIEVAL = "retrieval", "Retrieval (built in)"
    OPENAI_COMPATIBLE = "openai-compatible", "OpenAI-compatible server"


class ChatState(models.TextChoices):
    ANSWERING = "answering", "Answering"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"
    STOPPED = "stopped", "Stopped"
