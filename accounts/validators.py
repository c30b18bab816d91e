"""The one username rule, shared by the admin, the setup page and the invite page."""

from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 2
USERNAME_MAX_LENGTH = 64
USERNAME_HELP_TEXT = format_lazy(
    _("{min}–{max} characters: lower-case letters, digits and . _ @ -, starting with a letter. "
      "Capitals are folded to lower case."),
    min=USERNAME_MIN_LENGTH, max=USERNAME_MAX_LENGTH,
)

username_validators = [
    MinLengthValidator(USERNAME_MIN_LENGTH),
    MaxLengthValidator(USERNAME_MAX_LENGTH),
    RegexValidator(
        r"^[a-z][a-z0-9._@-]*\Z",
        _("Use only a–z, digits and . _ @ -, starting with a letter a–z."),
        code="invalid_username",
    ),
]


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()
