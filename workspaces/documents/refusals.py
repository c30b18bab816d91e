"""The one refusal of an upload, shared by extraction, its limits and the ingest service."""

from accounts.base import DocentError


class DocumentRefused(DocentError):
    """An upload Docent will not keep; `message` says why, in words for the uploader."""
