"""OpenDocument text (.odt): headings with their outline level, paragraphs, lists (nested) and
tables, in document order, from `content.xml`. Paragraphs are counted in the raw XML before it is
parsed, within the archive's expansion budget (`documents.zipparts`)."""

import re

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import ARCHIVE_CORRUPT
from workspaces.documents.readers.csv import looks_like_header
from workspaces.documents.readers.sheets import TABLE_NS, TEXT_NS, inline_text, ods_text
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.zipparts import Archive, local_name

OFFICE_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text"
BLOCK_TAG = re.compile(rb"<(?:text:(?:p|h)|table:table-row)[\s>/]")
CONTAINERS = ("section", "soft-page-break", "index-body", "table-of-content")


def read(*, stream, name, kind, sink: BlockSink):
    archive = Archive(stream=stream, name=name, kind=kind, required="content.xml", corrupt=ARCHIVE_CORRUPT)
    archive.count(["content.xml"], BLOCK_TAG, limit=limits.DOCX_MAX_BLOCKS,
                  what="paragraphs (OpenDocument)", unit="paragraphs and table rows")
    root = archive.xml("content.xml")
    body = root.find(f".//{OFFICE_TEXT}") if root is not None else None
    if body is None:
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt")
    try:
        _add_children(body, sink)
    except RecursionError:
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt") from None
    return "", None


def _add_children(parent, sink, *, list_level: int = -1):
    for element in parent:
        tag = local_name(element)
        if tag == "h":
            level = element.get(f"{{{TEXT_NS}}}outline-level") or "1"
            sink.heading(inline_text(element), int(level) if level.isascii() and level.isdigit() else 1)
        elif tag == "p":
            if list_level >= 0:
                sink.list_item(inline_text(element), level=min(list_level, 5))
            else:
                sink.paragraph(inline_text(element))
        elif tag == "list":
            _add_children(element, sink, list_level=list_level + 1)
        elif tag in ("list-item", "list-header"):
            _add_children(element, sink, list_level=max(list_level, 0))
        elif tag == "table":
            rows = [
                [ods_text(cell) for cell in row if local_name(cell) in ("table-cell", "covered-table-cell")]
                for row in element.iter(f"{{{TABLE_NS}}}table-row")
            ]
            header = element.find(f"{{{TABLE_NS}}}table-header-rows") is not None
            sink.table(rows, header=header or looks_like_header(rows))
        elif tag in CONTAINERS:
            _add_children(element, sink, list_level=list_level)
