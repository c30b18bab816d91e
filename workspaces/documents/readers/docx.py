"""Word (.docx): the body in document order, paragraphs and tables as they come.

Headings are recognised by their style ("Heading 2", "Title"), list items by a
list style or numbering; tables stay where they are, their first row a header
when Word marks it so or when it looks like one.
"""

import io
import re
import zipfile

from workspaces.documents.blocks import BlockSink
from workspaces.documents.extraction import (
    DOCX_CORRUPT,
    DOCX_MAX_EXPANDED_BYTES,
    DocumentRefused,
    mismatch,
)
from workspaces.documents.readers.csv import looks_like_header

HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(*, stream, name, kind, sink: BlockSink):
    import docx

    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise mismatch(name, kind) from None
    if "word/document.xml" not in names:
        raise mismatch(name, kind)
    if sum(info.file_size for info in archive.infolist()) > DOCX_MAX_EXPANDED_BYTES:
        raise DocumentRefused(DOCX_CORRUPT.format(name=name), code="corrupt")
    stream.seek(0)
    try:
        document = docx.Document(io.BytesIO(stream.read()))
        for item in document.iter_inner_content():
            if item.__class__.__name__ == "Table":
                _add_table(item, sink)
            else:
                _add_paragraph(item, sink)
        title = document.core_properties.title or ""
    except DocumentRefused:
        raise
    except Exception:  # python-docx and lxml fail in many ways on damaged files
        raise DocumentRefused(DOCX_CORRUPT.format(name=name), code="corrupt") from None
    return title, None


def _add_paragraph(paragraph, sink):
    text = paragraph.text
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    heading = HEADING_STYLE.match(style)
    if heading:
        return sink.heading(text, int(heading.group(1)))
    if style.lower() == "title":
        return sink.heading(text, 1)
    numbering = paragraph._p.find(f"{W}pPr/{W}numPr")
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
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # A merged cell is repeated by python-docx for every grid column it spans.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(part.text for part in cell.paragraphs))
        rows.append(cells)
    marked = bool(table.rows) and table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None
    sink.table(rows, header=marked or looks_like_header(rows))
