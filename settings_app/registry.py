"""Every system setting Docent knows: its type, default, help text and validation.

Code reads settings only through `settings_app.services.setting_get(label)`.
Stored values are text; each type turns its form value into that text and back.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from settings_app.choices import ChatProvider

DEFAULT_SYSTEM_PROMPT = (
    "You answer questions about the documents of this workspace. Use only the passages given as context, "
    "cite them by their number like [1], and say so plainly when the passages do not answer the question."
)


@dataclass(frozen=True)
class Setting:
    label: str
    default: Any
    help_text: str

    def form_field(self) -> forms.Field:
        raise NotImplementedError

    def to_python(self, stored: str | None) -> Any:
        """The typed value from the stored text; the default when unset or unreadable."""
        if stored is None or stored == "":
            return self.default
        try:
            return self.form_field().clean(self.from_text(stored))
        except (ValidationError, ValueError, TypeError):
            return self.default

    def from_text(self, stored: str) -> Any:
        return stored

    def to_text(self, value: Any) -> str | None:
        return None if value in (None, "") else str(value)


@dataclass(frozen=True)
class TextSetting(Setting):
    max_length: int = 2000
    multiline: bool = False

    def form_field(self):
        widget = forms.Textarea(attrs={"rows": 6}) if self.multiline else forms.TextInput
        return forms.CharField(required=False, max_length=self.max_length, widget=widget, help_text=self.help_text)


@dataclass(frozen=True)
class EmailSetting(Setting):
    def form_field(self):
        return forms.EmailField(required=False, help_text=self.help_text)


@dataclass(frozen=True)
class UrlSetting(Setting):
    def form_field(self):
        return forms.URLField(
            required=False, validators=[URLValidator(schemes=["http", "https"])], help_text=self.help_text,
            assume_scheme="https",
        )


@dataclass(frozen=True)
class BoolSetting(Setting):
    def form_field(self):
        return forms.BooleanField(required=False, help_text=self.help_text)

    def from_text(self, stored):
        return stored.strip().lower() in ("1", "true", "yes", "on")

    def to_python(self, stored):
        return self.default if stored in (None, "") else self.from_text(stored)

    def to_text(self, value):
        return "true" if value else "false"


@dataclass(frozen=True)
class IntSetting(Setting):
    min_value: int = 0
    max_value: int = 1_000_000

    def form_field(self):
        return forms.IntegerField(min_value=self.min_value, max_value=self.max_value, help_text=self.help_text)

    def from_text(self, stored):
        return int(stored)


@dataclass(frozen=True)
class ChoiceSetting(Setting):
    choices: tuple = field(default_factory=tuple)

    def form_field(self):
        return forms.ChoiceField(choices=self.choices, help_text=self.help_text)


class FooterLinksField(forms.CharField):
    """Up to three links, one per line as `Title | https://…`."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        if isinstance(value, list):
            value = "\n".join(f"{link['title']} | {link['url']}" for link in value)
        value = super().clean(value)
        links = []
        for number, line in enumerate(filter(None, (raw.strip() for raw in value.splitlines())), start=1):
            title, sep, url = line.partition("|")
            title, url = title.strip(), url.strip()
            if not sep or not title or not url:
                raise ValidationError(f"Line {number}: write it as “Title | https://example.com”.")
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError as exc:
                raise ValidationError(f"Line {number}: “{url}” is not an http or https address.") from exc
            links.append({"title": title[:60], "url": url})
        if len(links) > 3:
            raise ValidationError("At most 3 footer links.")
        return links


@dataclass(frozen=True)
class LinksSetting(Setting):
    def form_field(self):
        return FooterLinksField(required=False, help_text=self.help_text)

    def from_text(self, stored):
        return json.loads(stored)

    def to_text(self, value):
        return json.dumps(value) if value else None


REGISTRY: dict[str, Setting] = {
    s.label: s
    for s in (
        TextSetting("custom_app_name", "Docent", "The name in the top bar, page titles and the admin.", max_length=60),
        EmailSetting("support_email", "", "Shown in the footer for people who need help."),
        LinksSetting("footer_links", [], "Up to 3 links in the footer, one per line: Title | https://…"),
        TextSetting("meta_page_title", "Docent", "The browser tab title of the home page.", max_length=120),
        TextSetting(
            "default_system_prompt", DEFAULT_SYSTEM_PROMPT,
            "The instructions sent to a language model when a workspace has none.", max_length=8000, multiline=True,
        ),
        BoolSetting(
            "members_can_upload", False,
            "New workspace members join as editors (may upload) rather than viewers, unless a role is chosen.",
        ),
        ChoiceSetting(
            "manager_scope", "all", "Which workspaces managers see and run.",
            choices=(("all", "Every workspace"), ("owned", "Only the workspaces they own")),
        ),
        TextSetting(
            "owner_chat_models", "",
            "Models workspace owners may choose on their Settings tab, one per line (empty: only llm_model).",
            max_length=2000, multiline=True,
        ),
        IntSetting(
            "max_upload_mb", 25, "Largest upload (one file or several together), in MB (1–512).",
            min_value=1, max_value=512,
        ),
        IntSetting(
            "passage_size_words", 200, "Words per passage when documents are split.", min_value=20, max_value=2000
        ),
        IntSetting(
            "passage_overlap_words", 40, "Words repeated between neighbouring passages.", min_value=0, max_value=500
        ),
        IntSetting(
            "daily_message_limit", 0,
            "Questions one person may ask per calendar day (TIME_ZONE); 0 means no limit. A user's own limit wins.",
            max_value=100_000,
        ),
        IntSetting("max_prompt_chars", 4000, "Longest question, in characters.", min_value=20, max_value=100_000),
        ChoiceSetting(
            "chat_provider", "retrieval", "How workspaces answer unless a workspace chooses otherwise.",
            choices=tuple(ChatProvider.choices),
        ),
        UrlSetting("llm_base_url", "", "API root including /v1, e.g. http://127.0.0.1:11434/v1."),
        TextSetting("llm_model", "", "Model name sent to the OpenAI-compatible server.", max_length=120),
        ChoiceSetting(
            "embedding_provider", "local",
            "Semantic search: local (the model in EMBEDDING_MODEL_DIR, else all-MiniLM-L6-v2 downloaded once "
            "by the worker; searches stay lexical until it is there), an OpenAI-compatible /embeddings server, "
            "or none (words only). The worker embeds existing passages in the background by itself.",
            choices=(("none", "none"), ("local", "local"), ("openai-compatible", "openai-compatible")),
        ),
        UrlSetting("embedding_base_url", "", "Embeddings API root including /v1, e.g. http://127.0.0.1:11434/v1."),
        TextSetting(
            "embedding_model", "", "Embedding model name sent to the OpenAI-compatible server.", max_length=120
        ),
        ChoiceSetting(
            "rerank_provider", "none",
            "Reranking of the best hits by a cross-encoder: none, http (a /rerank server in the Cohere, Jina or "
            "TEI shape at rerank_base_url) or local (an ONNX cross-encoder in RERANK_MODEL_DIR).",
            choices=(("none", "none"), ("http", "http"), ("local", "local")),
        ),
        UrlSetting("rerank_base_url", "", "Reranking API root, e.g. http://127.0.0.1:8080 (Docent posts to /rerank)."),
        TextSetting("rerank_model", "", "Model name sent to the reranking server (if it wants one).", max_length=120),
        IntSetting(
            "rerank_candidates", 30, "How many of the best hits the reranker orders again.", min_value=20, max_value=50
        ),
    )
}
