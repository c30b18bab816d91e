"""What every Docent app builds on: the timestamp pair of every table and the one error family.

It lives in `accounts`, the first installed app, which every other app already depends on
(`AUTH_USER_MODEL`), so nothing here creates an import cycle.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext


class TimestampedModel(models.Model):
    """The `createdAt` / `lastUpdatedAt` pair every Docent table carries."""

    created_at = models.DateTimeField(auto_now_add=True, db_column="createdAt")
    last_updated_at = models.DateTimeField(auto_now=True, db_column="lastUpdatedAt")

    class Meta:
        abstract = True


class ErrorCode(StrEnum):
    """Every kind of refusal, in domain words. The web layer (`accounts.http.STATUS_BY_CODE`)
    gives each one HTTP status; a code not listed here is a programming error."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"  # no credentials, or an unknown, revoked or expired API key
    NOT_FOUND = "not_found"
    GONE = "gone"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    QUOTA = "quota"
    LOCKED_OUT = "locked_out"
    SUSPENDED = "suspended"
    TOO_LARGE = "too_large"
    # A model server or embedding server failed (the question or document was fine).
    PROVIDER_FAILED = "provider_failed"
    EMBEDDING_FAILED = "embedding_failed"
    RERANK_FAILED = "rerank_failed"
    EMBEDDING_MODEL_UNAVAILABLE = "embedding_model_unavailable"
    # Why a file was refused.
    EMPTY = "empty"
    DUPLICATE = "duplicate"
    UNSUPPORTED = "unsupported"
    MISMATCH = "mismatch"
    BINARY = "binary"
    ENCODING = "encoding"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    NO_TEXT = "no_text"
    MISSING = "missing"
    OCR_MISSING = "ocr_missing"  # a scan, on a server without Tesseract (or without the language)


class DocentError(Exception):
    """A refusal with a message for the person who asked.

    `code` (an `ErrorCode`) names the kind of refusal; the web layer
    (`accounts.http.status_for`) turns it into an HTTP status, so no service knows about HTTP.
    """

    default_code = ErrorCode.INVALID

    def __init__(self, message: str, *, code: str | None = None):
        # The message in the asker's language when it is one of the catalog's (a constant marked with
        # gettext_noop); a message built from values is translated by its caller before formatting.
        message = gettext(message) if message else message
        super().__init__(message)
        self.message = message
        self.code = ErrorCode(code or self.default_code)

    def __str__(self):
        return self.message
