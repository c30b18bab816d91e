"""The kinds of system setting: each type turns its form value into stored text and back, and what
a setting is for (its purpose, by which the admin groups them). The settings themselves are
`settings_app.registry.REGISTRY`."""

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator


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
