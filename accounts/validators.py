"""The one username rule, shared by the admin, the setup page and the invite page."""

from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator

USERNAME_MIN_LENGTH = 2
USERNAME_MAX_LENGTH = 64
USERNAME_HELP_TEXT = (
    f"{USERNAME_MIN_LENGTH}–{USERNAME_MAX_LENGTH} characters: lower-case letters, digits and . _ @ -, "
    "starting with a letter. Capitals are folded to lower case."
)

username_validators = [
    MinLengthValidator(USERNAME_MIN_LENGTH),
    MaxLengthValidator(USERNAME_MAX_LENGTH),
    RegexValidator(
        r"^[a-z][a-z0-9._@-]*\Z",
        "Use only a–z, digits and . _ @ -, starting with a letter a–z.",
        code="invalid_username",
    ),
]


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()
