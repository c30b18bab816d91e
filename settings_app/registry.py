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


class Purpose:
    """What a setting is for: the admin's list of system settings is grouped by it."""

    LOOK = "Look and help"
    PEOPLE = "People and limits"
    SIGN_IN = "Signing in"
    DOCUMENTS = "Documents"
    ANSWERS = "Answers and the language model"
    SEARCH = "Search by meaning"
    OTHER = "Other"
    ORDER = (LOOK, PEOPLE, SIGN_IN, DOCUMENTS, ANSWERS, SEARCH, OTHER)


@dataclass(frozen=True)
class Setting:
    label: str
    default: Any
    help_text: str
    title: str = ""  # what a person calls it; the label is what code and the environment call it
    purpose: str = Purpose.OTHER

    @property
    def name(self) -> str:
        return self.title or self.label.replace("_", " ").capitalize()

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
        TextSetting(
            "custom_app_name", "Docent", "The name people see in the top bar, in page titles and in the admin.",
            title="Site name", purpose=Purpose.LOOK, max_length=60,
        ),
        EmailSetting(
            "support_email", "", "An address shown in the footer for people who need help. Empty: none shown.",
            title="Help address", purpose=Purpose.LOOK,
        ),
        LinksSetting(
            "footer_links", [], "Up to 3 links in the footer, one per line, written as: Title | https://…",
            title="Footer links", purpose=Purpose.LOOK,
        ),
        TextSetting(
            "meta_page_title", "Docent", "The title of the home page in the browser's tab.",
            title="Home page title", purpose=Purpose.LOOK, max_length=120,
        ),
        TextSetting(
            "default_system_prompt", DEFAULT_SYSTEM_PROMPT,
            "What a language model is told before each question, for every workspace that has no instructions "
            "of its own.",
            title="Default instructions for the model", purpose=Purpose.ANSWERS, max_length=8000, multiline=True,
        ),
        BoolSetting(
            "members_can_upload", False,
            "When ticked, people added to a workspace without a chosen role may upload (editors); otherwise they "
            "may only read and ask (viewers).",
            title="New members may upload", purpose=Purpose.PEOPLE,
        ),
        BoolSetting(
            "members_create_workspaces", False,
            "When ticked, members may create workspaces on the site and own what they create; otherwise only "
            "admins and managers may (who always own what they create).",
            title="Members may create workspaces", purpose=Purpose.PEOPLE,
        ),
        ChoiceSetting(
            "manager_scope", "all", "Which workspaces managers see and run in the admin.",
            title="Managers run", purpose=Purpose.PEOPLE,
            choices=(("all", "Every workspace"), ("owned", "Only the workspaces they own")),
        ),
        TextSetting(
            "owner_chat_models", "",
            "Models that workspace owners may pick on their Settings tab, one name per line. Empty: owners "
            "can only use the server's model.",
            title="Models owners may choose", purpose=Purpose.ANSWERS, max_length=2000, multiline=True,
        ),
        IntSetting(
            "max_upload_mb", 25, "The largest upload, one file or several sent together, in megabytes (1–512).",
            title="Largest upload (MB)", purpose=Purpose.DOCUMENTS, min_value=1, max_value=512,
        ),
        IntSetting(
            "passage_size_words", 200,
            "Documents are cut into passages of about this many words; answers quote and cite whole passages.",
            title="Words per passage", purpose=Purpose.DOCUMENTS, min_value=20, max_value=2000,
        ),
        IntSetting(
            "passage_overlap_words", 40,
            "How many words a passage repeats from the one before, so a sentence cut in two is found whole.",
            title="Words shared by neighbouring passages", purpose=Purpose.DOCUMENTS, min_value=0, max_value=500,
        ),
        IntSetting(
            "daily_message_limit", 0,
            "How many questions one person may ask each day (the day of the server's time zone). 0: no limit. "
            "A limit set on a person wins over this one.",
            title="Questions per person per day", purpose=Purpose.PEOPLE, max_value=100_000,
        ),
        IntSetting(
            "max_prompt_chars", 4000, "The longest question a person may ask, in characters.",
            title="Longest question", purpose=Purpose.PEOPLE, min_value=20, max_value=100_000,
        ),
        ChoiceSetting(
            "chat_provider", "retrieval",
            "Who writes the answers in workspaces that have not chosen: Docent itself from the passages it finds "
            "(no model needed), or a language model server.",
            title="Answers come from", purpose=Purpose.ANSWERS, choices=tuple(ChatProvider.choices),
        ),
        UrlSetting(
            "llm_base_url", "",
            "The address of an OpenAI-compatible model server, ending in /v1, e.g. http://127.0.0.1:11434/v1.",
            title="Model server address", purpose=Purpose.ANSWERS,
        ),
        TextSetting(
            "llm_model", "", "The name of the model the server should answer with, e.g. llama3.1:8b.",
            title="Model name", purpose=Purpose.ANSWERS, max_length=120,
        ),
        ChoiceSetting(
            "embedding_provider", "local",
            "Search by meaning as well as by words: local (a small model on this server, downloaded once by "
            "the worker unless EMBEDDING_MODEL_DIR names a copy; searches use words only until it is there), "
            "an OpenAI-compatible /embeddings server, or none (words only). The worker embeds existing "
            "passages in the background by itself.",
            title="Search by meaning", purpose=Purpose.SEARCH,
            choices=(("none", "none"), ("local", "local"), ("openai-compatible", "openai-compatible")),
        ),
        UrlSetting(
            "embedding_base_url", "",
            "The address of an OpenAI-compatible embeddings server, ending in /v1, e.g. http://127.0.0.1:11434/v1.",
            title="Embeddings server address", purpose=Purpose.SEARCH,
        ),
        TextSetting(
            "embedding_model", "", "The name of the embedding model that server should use.",
            title="Embedding model name", purpose=Purpose.SEARCH, max_length=120,
        ),
        TextSetting(
            "sso_allowed_email_domains", "",
            "Single sign-on: people unknown to Docent whose verified email is in one of these domains "
            "(comma-separated, e.g. example.com) get a member account. Others need an invite or a mapped group.",
            title="Email domains that may join by single sign-on", purpose=Purpose.SIGN_IN, max_length=1000,
        ),
        BoolSetting(
            "sso_required", False,
            "Everyone signs in with single sign-on (or LDAP); local passwords work only for the break-glass admin.",
            title="Single sign-on required", purpose=Purpose.SIGN_IN,
        ),
        TextSetting(
            "sso_break_glass_username", "",
            "The one admin who may still sign in with a local password when single sign-on is required.",
            title="Break-glass admin", purpose=Purpose.SIGN_IN, max_length=64,
        ),
        BoolSetting(
            "second_factor_required_for_staff", False,
            "Admins and managers who sign in with a password must set up an authenticator app.",
            title="Two-factor required for admins and managers", purpose=Purpose.SIGN_IN,
        ),
        ChoiceSetting(
            "rerank_provider", "none",
            "Reranking of the best hits by a cross-encoder: none, http (a /rerank server in the Cohere, Jina or "
            "TEI shape at the reranking server address) or local (an ONNX cross-encoder in RERANK_MODEL_DIR).",
            title="Reranking", purpose=Purpose.SEARCH,
            choices=(("none", "none"), ("http", "http"), ("local", "local")),
        ),
        UrlSetting(
            "rerank_base_url", "", "The address of a reranking server, e.g. http://127.0.0.1:8080 (Docent posts "
            "to /rerank).", title="Reranking server address", purpose=Purpose.SEARCH,
        ),
        TextSetting(
            "rerank_model", "", "The name of the model the reranking server should use, if it asks for one.",
            title="Reranking model name", purpose=Purpose.SEARCH, max_length=120,
        ),
        IntSetting(
            "rerank_candidates", 30, "How many of the best hits the reranker orders again, from 20 to 50.",
            title="Hits reranked", purpose=Purpose.SEARCH, min_value=20, max_value=50,
        ),
    )
}
