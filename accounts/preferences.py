"""How the site looks to one person: light, dark or as their system says, and in which
language (issue 29)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    SYSTEM = "system", _("As my system")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class Language(models.TextChoices):
    """The site's languages (settings.LANGUAGES); BROWSER: as the browser's Accept-Language says."""

    BROWSER = "", _("As my browser says")
    ENGLISH = "en", "English"
    GERMAN = "de", "Deutsch"


def theme_set(*, user, theme: str) -> None:
    """Keep `theme` for `user` (an unknown value is the caller's 400, never stored)."""
    user.theme = Theme(theme)
    user.save(update_fields=["theme"])


def language_set(*, user, language: str) -> None:
    """Keep `language` for `user` ("" follows the browser; an unknown value is the caller's 400)."""
    user.language = Language(language)
    user.save(update_fields=["language"])
