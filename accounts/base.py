"""What every Docent app builds on: the timestamp pair of every table and the one error family.

It lives in `accounts`, the first installed app, which every other app already depends on
(`AUTH_USER_MODEL`), so nothing here creates an import cycle.
"""

from django.db import models


class TimestampedModel(models.Model):
    """The `createdAt` / `lastUpdatedAt` pair every Docent table carries."""

    created_at = models.DateTimeField(auto_now_add=True, db_column="createdAt")
    last_updated_at = models.DateTimeField(auto_now=True, db_column="lastUpdatedAt")

    class Meta:
        abstract = True


class DocentError(Exception):
    """A refusal with a message for the person who asked.

    `code` names the kind of refusal in domain words ("too_large", "rate_limited", …);
    the web layer (`accounts.http.status_for`) turns it into an HTTP status, so no
    service knows about HTTP.
    """

    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def __str__(self):
        return self.message
