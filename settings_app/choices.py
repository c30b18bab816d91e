"""Choices a system setting offers that workspaces also store (a workspace's own provider)."""

from django.db import models


class ChatProvider(models.TextChoices):
    RETRIEVAL = "retrieval", "Retrieval (built in)"
    OPENAI_COMPATIBLE = "openai-compatible", "OpenAI-compatible server"
