"""How the site looks to one person: light, dark or as their system says (issue 29)."""

from django.db import models


class Theme(models.TextChoices):
    SYSTEM = "system", "As my system"
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


def theme_set(*, user, theme: str) -> None:
    """Keep `theme` for `user` (an unknown value is the caller's 400, never stored)."""
    user.theme = Theme(theme)
    user.save(update_fields=["theme"])
