"""Word (.docx): the body in document order, paragraphs and tables as they come.

Read by streaming its XML (`documents.wordml`), never whole. Headings are recognised
by their style ("Heading2", "Title"), list items by a list style or numbering; tables
stay where they are, their first row a header when Word marks it so or when it looks
like one.
"""

import re
import zipfile

from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import DOCX_CORRUPT, mismatch
from workspaces.documents.readers.csv import looks_like_header
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.wordml import BODY_PART, W, body_items, docx_title, paragraph_text

HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def read(*, stream, name, kind, sink: BlockSink):
    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise mismatch(name, kind) from None
    if BODY_PART not in names:
        raise mismatch(name, kind)
    try:
        for item, element in body_items(archive, name=name):
            (_add_table if item == "table" else _add_paragraph)(element, sink)
        title = docx_title(archive, name=name)
    except DocumentRefused:
        raise
    except Exception:  # zlib, lxml and zipfile fail in many ways on damaged files
        raise DocumentRefused(DOCX_CORRUPT.format(name=name), code="corrupt") from None
    return title, None


def _style(paragraph) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return (style.get(f"{W}val") or "") if style is not None else ""


def _add_paragraph(paragraph, sink):
    text = paragraph_text(paragraph)
    style = _style(paragraph)
    heading = HEADING_STYLE.match(style)
    if heading:
        return sink.heading(text, int(heading.group(1)))
    if style.lower() == "title":
        return sink.heading(text, 1)
    numbering = paragraph.find(f"{W}pPr/{W}numPr")
    if numbering is not None or style.lower().startswith("list"):
        level = 0
        if numbering is not None:
            ilvl = numbering.find(f"{W}ilvl")
            level = int(ilvl.get(f"{W}val", "0")) if ilvl is not None else 0
        digits = re.search(r"(\d)$", style)
        if digits and numbering is None:
            level = int(digits.group(1)) - 1
        return sink.list_item(text, level=max(0, min(level, 5)), ordered="number" in style.lower())
    sink.paragraph(text)


def _add_table(table, sink):
    rows = [
        [" ".join(paragraph_text(p) for p in cell.iter(f"{W}p")) for cell in row.iterchildren(f"{W}tc")]
        for row in table.iterchildren(f"{W}tr")
    ]
    first = next(table.iterchildren(f"{W}tr"), None)
    marked = first is not None and first.find(f"{W}trPr/{W}tblHeader") is not None
    sink.table(rows, header=marked or looks_like_header(rows))
