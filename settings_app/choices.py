"""Choices a system setting offers that workspaces also store (a workspace's own provider)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatProvider(models.TextChoices):
    RETRIEVAL = "retrieval", _("Retrieval (built in)")
    OPENAI_COMPATIBLE = "openai-compatible", _("OpenAI-compatible server")
