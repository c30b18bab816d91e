"""Text out of an uploaded file: the type is decided by the content, not the name.

The extension names the kind a file claims to be; the content must confirm it
(a PDF starts with `%PDF-`, a DOCX is a zip holding `word/document.xml`, text is
UTF-8 without NUL bytes). Anything else is refused with a message a person can
act on. Nothing here touches the database or the storage.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from django.utils.translation import gettext, gettext_noop

from workspaces.documents import limits
from workspaces.documents.blocks import PAGE_BREAK, Block, BlockSink, blocks_text, first_heading
from workspaces.documents.decoding import CONTROL_CHARACTERS
from workspaces.documents.kinds import EXTENSION_ALIASES, KINDS, OCR_KINDS, FileKind
from workspaces.documents.readers import READERS
from workspaces.documents.refusals import DocumentRefused

UNSUPPORTED_TYPE = gettext_noop(
    "“{name}” is not a type Docent can read. Upload PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), "
    "OpenDocument (.odt, .ods), EPUB, e-mail (.eml), plain text, Markdown, CSV, HTML or image (PNG, JPEG, "
    "TIFF) files."
)
NO_TEXT = "“{name}” contains no text to search."

# A .docx is refused when its XML expands past this (counted while reading): a zip bomb, not a document.
DOCX_MAX_EXPANDED_BYTES = limits.DOCX_MAX_EXPANDED_BYTES
FILENAME_MAX_LENGTH = 255
PLACEHOLDER_TITLE = re.compile(
    r"^(\(anonymous\)|anonymous|untitled( document)?|no title|title|document\d*|microsoft (word|powerpoint) - .*"
    r"|slide \d+|.*\.(docx?|pdf|txt|md|html?|csv|rtf|odt))$"
)


__all__ = ["DocumentRefused", "ExtractedText", "extract_text", "filename_for_display", "kind_for_filename"]


@dataclass(frozen=True)
class ExtractedText:
    """What a file holds: its blocks in reading order; `text` is their plain text, derived from them."""

    kind: FileKind
    title: str
    page_count: int | None
    blocks: list[Block] = field(default_factory=list)
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, content): an e-mail's, ingested apart

    @property
    def text(self) -> str:
        return blocks_text(self.blocks)


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
        raise DocumentRefused(gettext(UNSUPPORTED_TYPE).format(name=name), code="unsupported")
    return KINDS[extension]


def extract_text(*, stream: BinaryIO, name: str, ocr_languages: str = "") -> ExtractedText:
    """Check `stream` is what `name` says and return its blocks. Raises DocumentRefused.

    Each format has its reader in `workspaces.documents.readers`; every reader adds
    blocks through one BlockSink, which counts characters against the caps in
    `documents.limits` while reading. In-process and unbounded in time: uploads go
    through `documents.sandbox.extract_bounded`. A metadata title that a tool wrote by itself
    gives way to the first heading, then to the file name. Scans are read by OCR in
    `ocr_languages` ("eng+deu"; empty: English).
    """
    kind = kind_for_filename(name)
    stream.seek(0)
    sink = BlockSink(budget=limits.TextBudget(name=name, kind_label=kind.label))
    read = READERS[kind.extension]
    options = {"ocr_languages": ocr_languages} if kind.extension in OCR_KINDS else {}
    title, page_count = read(stream=stream, name=name, kind=kind, sink=sink, **options)
    if not any(block.kind != PAGE_BREAK for block in sink.blocks):
        raise DocumentRefused(NO_TEXT.format(name=name), code="no_text")
    title = " ".join(CONTROL_CHARACTERS.sub("", title or "").split())[:200]
    if is_placeholder_title(title):
        title = first_heading(sink.blocks)[:200] or PurePosixPath(name).stem[:200] or name
    return ExtractedText(
        kind=kind, title=title, page_count=page_count, blocks=sink.blocks, attachments=tuple(sink.attachments)
    )


def is_placeholder_title(title: str) -> bool:
    """Titles tools write by themselves ("(anonymous)", "untitled", "Microsoft Word - x.docx", "Document1")."""
    lowered = title.strip().lower()
    return not lowered or bool(PLACEHOLDER_TITLE.match(lowered))
