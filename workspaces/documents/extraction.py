"""Text out of an uploaded file: the type is decided by the content, not the name.

The extension names the kind a file claims to be; the content must confirm it
(a PDF starts with `%PDF-`, a DOCX is a zip holding `word/document.xml`, text is
UTF-8 without NUL bytes). Anything else is refused with a message a person can
act on. Nothing here touches the database or the storage.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import BinaryIO

from workspaces.documents import limits
from workspaces.documents.kinds import EXTENSION_ALIASES, KINDS, FileKind
from workspaces.documents.refusals import DocumentRefused

UNSUPPORTED_TYPE = (
    "“{name}” is not a type Docent can read. Upload PDF, Word (.docx), plain text, Markdown, CSV or HTML files."
)
CONTENT_MISMATCH = "“{name}” is not really a {kind} file: its content does not match its name."
NOT_UTF8 = "“{name}” is not UTF-8 text. Save it with UTF-8 encoding and upload it again."
BINARY_TEXT = "“{name}” contains binary data, not text."
PDF_ENCRYPTED = "“{name}” is protected by a password. Remove the password and upload it again."
PDF_CORRUPT = "“{name}” could not be read: the PDF is damaged."
DOCX_CORRUPT = "“{name}” could not be read: the Word document is damaged."
NO_TEXT = "“{name}” contains no text to search (a scanned PDF needs text recognition first)."

# A .docx is refused when its XML expands past this (counted while reading): a zip bomb, not a document.
DOCX_MAX_EXPANDED_BYTES = limits.DOCX_MAX_EXPANDED_BYTES
FILENAME_MAX_LENGTH = 255
# Unicode category Cc except tab and newline.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


__all__ = ["DocumentRefused", "ExtractedText", "extract_text", "filename_for_display", "kind_for_filename"]


@dataclass(frozen=True)
class ExtractedText:
    kind: FileKind
    text: str
    title: str
    page_count: int | None


def filename_for_display(raw: str) -> str:
    """The uploader's name made harmless to show: no folders, no control characters, at most 255 characters."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if not name:
        return "untitled"
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[:FILENAME_MAX_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:FILENAME_MAX_LENGTH]
    return name


def kind_for_filename(name: str) -> FileKind:
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    extension = EXTENSION_ALIASES.get(extension, extension)
    if extension not in KINDS:
        raise DocumentRefused(UNSUPPORTED_TYPE.format(name=name), code="unsupported")
    return KINDS[extension]


def extract_text(*, stream: BinaryIO, name: str) -> ExtractedText:
    """Check `stream` is what `name` says and return its text. Raises DocumentRefused.

    Bounded by the caps in `documents.limits`, checked while reading. In-process and
    unbounded in time: uploads go through `documents.sandbox.extract_bounded`."""
    kind = kind_for_filename(name)
    stream.seek(0)
    reader = {"pdf": _pdf_text, "docx": _docx_text}.get(kind.extension, _plain_text)
    budget = limits.TextBudget(name=name, kind_label=kind.label)
    text, title, page_count = reader(stream, name, kind, budget)
    budget.used = 0
    budget.take(len(text))
    text = normalise_text(text)
    if not text.strip():
        raise DocumentRefused(NO_TEXT.format(name=name), code="no_text")
    title = " ".join(CONTROL_CHARACTERS.sub("", title or "").split())[:200] or PurePosixPath(name).stem[:200] or name
    return ExtractedText(kind=kind, text=text, title=title, page_count=page_count)


def normalise_text(text: str) -> str:
    """One newline style, no control characters (PostgreSQL refuses NUL), at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _mismatch(name, kind):
    return DocumentRefused(CONTENT_MISMATCH.format(name=name, kind=kind.label), code="mismatch")


def _plain_text(stream, name, kind, budget):
    data = stream.read()
    if data.startswith(b"%PDF-") or data.startswith(b"PK\x03\x04"):
        raise _mismatch(name, kind)
    if b"\x00" in data:
        raise DocumentRefused(BINARY_TEXT.format(name=name), code="binary")
    try:
        # utf-8-sig: a byte-order mark, common in files saved by Windows tools, is dropped.
        # Other encodings are refused rather than guessed: latin-1 "decodes" any bytes at all.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRefused(NOT_UTF8.format(name=name), code="encoding") from None
    title = ""
    if kind.extension == "html":
        text, title = _html_text(text)
    elif kind.extension == "md":
        heading = re.search(r"^#{1,2}\s+(.+)$", text, flags=re.MULTILINE)
        title = heading.group(1).strip(" #") if heading else ""
    return text, title, None


class _HTMLText(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "pre",
              "blockquote", "table", "ul", "ol", "dt", "dd", "hr"}
    SKIPPED = {"script", "style", "noscript", "template", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.title_parts, self.skipping, self.in_title = [], [], 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skipping:
            self.parts.append(data)


def _html_text(source):
    parser = _HTMLText()
    parser.feed(source)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(lines), "".join(parser.title_parts)


def _pdf_text(stream, name, kind, budget):
    from pypdf.errors import LimitReachedError

    head = stream.read(1024)
    if b"%PDF-" not in head:
        raise _mismatch(name, kind)
    stream.seek(0)
    try:
        with _pdf_limits():
            return _pdf_read(stream, name, budget)
    except LimitReachedError:
        raise limits.expansion_refusal(
            name=name, what="content (PDF)",
            limit=f"{limits.PDF_MAX_STREAM_BYTES // limits.MIB} MiB or {limits.PDF_MAX_CONTENT_OPERATIONS:,} "
                  "drawing instructions per stream",
        ) from None


def _pdf_read(stream, name, budget):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    # pypdf raises many kinds of error on damaged or hostile files (zlib, struct, recursion…):
    # every one of them means the same to the uploader, so none may become a 500.
    try:
        reader = PdfReader(stream)
        encrypted = reader.is_encrypted
    except LimitReachedError:
        raise
    except Exception:
        raise DocumentRefused(PDF_CORRUPT.format(name=name), code="corrupt") from None
    if encrypted and not _opens_without_password(reader):
        raise DocumentRefused(PDF_ENCRYPTED.format(name=name), code="encrypted")
    try:
        pages = [_page_text(page, name, budget) for page in reader.pages]
        title = (reader.metadata or {}).get("/Title") or ""
    except (DocumentRefused, LimitReachedError):
        raise
    except FileNotDecryptedError:
        raise DocumentRefused(PDF_ENCRYPTED.format(name=name), code="encrypted") from None
    except Exception:
        raise DocumentRefused(PDF_CORRUPT.format(name=name), code="corrupt") from None
    return "\n\n".join(pages), str(title), len(pages)


def _pdf_limits():
    from pypdf import apply_configuration

    return apply_configuration(
        zlib_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
        maximum_declared_stream_length=limits.PDF_MAX_STREAM_BYTES,
        stream_parsing_work_maximum_count=limits.PDF_MAX_CONTENT_OPERATIONS,
    )


def _page_text(page, name, budget) -> str:
    """One page's text; refused as soon as the page, or the document so far, gives too much."""
    page_chars = 0

    def count(text, *_):
        nonlocal page_chars
        page_chars += len(text)
        budget.take(len(text))
        if page_chars > limits.MAX_PAGE_CHARACTERS:
            raise limits.expansion_refusal(
                name=name, what="text (PDF)", limit=f"{limits.MAX_PAGE_CHARACTERS:,} characters a page"
            )

    return page.extract_text(visitor_text=count) or ""


def _opens_without_password(reader) -> bool:
    """True for PDFs encrypted only against editing (an empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher or a missing crypto library: treat as locked
        return False


def _docx_text(stream, name, kind, budget):
    from workspaces.documents.wordml import BODY_PART, docx_blocks

    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _mismatch(name, kind) from None
    if BODY_PART not in names:
        raise _mismatch(name, kind)
    try:
        blocks, title = docx_blocks(archive, name=name, take_text=budget.take)
    except DocumentRefused:
        raise
    except Exception:  # zlib, lxml and zipfile fail in many ways on damaged files
        raise DocumentRefused(DOCX_CORRUPT.format(name=name), code="corrupt") from None
    return "\n".join(blocks), title, None
