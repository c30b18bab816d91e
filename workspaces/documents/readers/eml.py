"""E-mail (.eml): the subject as the heading, the sender, recipients and date as a small table,
then the body (the plain-text part, or the HTML one read as HTML), and the names of the attachments.

Each attachment of a type Docent reads is handed to the sink (`BlockSink.attach`): ingestion makes it
a document of its own in the same workspace, through the upload service and its checks. At most
`limits.EMAIL_MAX_PARTS` parts are looked at and `EMAIL_MAX_ATTACHMENTS` attachments taken.
"""

from email import policy
from email.parser import BytesParser
from pathlib import PurePosixPath

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import mismatch, normalise_text
from workspaces.documents.kinds import EXTENSION_ALIASES, KINDS
from workspaces.documents.readers.html import add_html
from workspaces.documents.readers.text import add_paragraphs

HEADERS = ("From", "To", "Cc", "Date")
ATTACHMENTS_HEADING = "Attachments"


def read(*, stream, name, kind, sink: BlockSink):
    data = stream.read()
    if data.startswith((b"%PDF-", b"PK\x03\x04")) or b"\x00" in data[:4096]:
        raise mismatch(name, kind)
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not any(message.get(header) for header in ("From", "To", "Subject", "Date", "Message-ID")):
        raise mismatch(name, kind)
    parts = sum(1 for _part in message.walk())
    if parts > limits.EMAIL_MAX_PARTS:
        raise limits.count_refusal(name=name, what="parts (e-mail)", limit=f"{limits.EMAIL_MAX_PARTS:,} parts")
    subject = _header(message, "Subject")
    if subject:
        sink.heading(subject, 1)
    rows = [[header, _header(message, header)] for header in HEADERS if _header(message, header)]
    if rows:
        sink.table(rows, header=False)
    _add_body(message, sink)
    _add_attachments(message, sink)
    return subject, None


def _header(message, header: str) -> str:
    try:
        return " ".join(str(message.get(header) or "").split())
    except Exception:  # a malformed header costs that header, not the message
        return ""


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _add_body(message, sink):
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return
    text = _content(body)
    if not isinstance(text, str):
        return
    if body.get_content_subtype() == "html":
        add_html(normalise_text(text), sink)
    else:
        add_paragraphs(normalise_text(text), sink)


def _inline_picture(part) -> bool:
    """A picture shown inside the message (a logo in a signature), not a file sent with it."""
    return part.get_content_maintype() == "image" and part.get_content_disposition() != "attachment"


def _add_attachments(message, sink):
    names = []
    for part in message.iter_attachments():
        filename = part.get_filename() or ""
        if not filename or _inline_picture(part):
            continue
        names.append(filename)
        extension = PurePosixPath(filename).suffix.lower().lstrip(".")
        if EXTENSION_ALIASES.get(extension, extension) not in KINDS:
            continue
        if len(sink.attachments) >= limits.EMAIL_MAX_ATTACHMENTS:
            continue
        payload = part.get_payload(decode=True)
        if payload:
            sink.attach(filename, payload)
    if names:
        sink.heading(ATTACHMENTS_HEADING, 2)
        for filename in names:
            sink.list_item(filename)
