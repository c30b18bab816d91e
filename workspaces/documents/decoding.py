"""Bytes of a text format as text, and the refusals every reader shares: a file whose content
does not match its name, binary data, an encoding other than UTF-8, a damaged or locked file.
Below the readers and extraction, which both use it."""

import re

from workspaces.documents.kinds import FileKind
from workspaces.documents.refusals import DocumentRefused

CONTENT_MISMATCH = "“{name}” is not really a {kind} file: its content does not match its name."
NOT_UTF8 = "“{name}” is not UTF-8 text. Save it with UTF-8 encoding and upload it again."
BINARY_TEXT = "“{name}” contains binary data, not text."
PDF_ENCRYPTED = "“{name}” is protected by a password. Remove the password and upload it again."
PDF_CORRUPT = "“{name}” could not be read: the PDF is damaged."
DOCX_CORRUPT = "“{name}” could not be read: the Word document is damaged."
ARCHIVE_CORRUPT = "“{name}” could not be read: the file is damaged."

# Unicode category Cc except tab and newline.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise_text(text: str) -> str:
    """One newline style, no control characters (PostgreSQL refuses NUL), at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def mismatch(name, kind):
    return DocumentRefused(CONTENT_MISMATCH.format(name=name, kind=kind.label), code="mismatch")


def decode_text(data: bytes, name: str, kind: FileKind) -> str:
    """Bytes of a text format as a string; refuses binaries dressed as text and non-UTF-8 files."""
    if data.startswith(b"%PDF-") or data.startswith(b"PK\x03\x04"):
        raise mismatch(name, kind)
    if b"\x00" in data:
        raise DocumentRefused(BINARY_TEXT.format(name=name), code="binary")
    try:
        # utf-8-sig: a byte-order mark, common in files saved by Windows tools, is dropped.
        # Other encodings are refused rather than guessed: latin-1 "decodes" any bytes at all.
        return normalise_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DocumentRefused(NOT_UTF8.format(name=name), code="encoding") from None
