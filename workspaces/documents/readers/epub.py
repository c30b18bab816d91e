"""EPUB: the chapters in reading order (the spine), each read as HTML, each a section: a chapter
that does not start with a heading of its own gets one from the table of contents (or "Chapter N").

Before EbookLib reads the book (it reads every part whole), the chapters are counted in the
listing and every part is decompressed once within the expansion budget (`documents.zipparts`).
"""

import re

from workspaces.documents import limits
from workspaces.documents.blocks import HEADING, Block, BlockSink, clean_inline
from workspaces.documents.decoding import ARCHIVE_CORRUPT, normalise_text
from workspaces.documents.readers.html import add_html
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.zipparts import Archive

CHAPTER_PART = re.compile(r"\.(x?html?)$", re.IGNORECASE)


def read(*, stream, name, kind, sink: BlockSink):
    archive = Archive(stream=stream, name=name, kind=kind, required="META-INF/container.xml", corrupt=ARCHIVE_CORRUPT)
    if sum(1 for member in archive.names if CHAPTER_PART.search(member)) > limits.MAX_CHAPTERS:
        raise limits.count_refusal(name=name, what="chapters", limit=f"{limits.MAX_CHAPTERS:,} chapters")
    archive.scan(archive.names)
    stream.seek(0)
    try:
        from ebooklib import ITEM_DOCUMENT, epub

        book = epub.read_epub(stream, options={"ignore_ncx": False})
        titles = _toc_titles(book.toc)
        number = 0
        for item_id, _linear in book.spine:
            item = book.get_item_with_id(item_id)
            if item is None or item.get_type() != ITEM_DOCUMENT:
                continue
            number += 1
            _add_chapter(item, titles.get(item.get_name(), ""), number, sink)
        title = next((str(value) for value, _attrs in book.get_metadata("DC", "title")), "")
    except DocumentRefused:
        raise
    except Exception:  # EbookLib, lxml and zipfile fail in many ways on damaged files
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt") from None
    return title, None


def _add_chapter(item, toc_title, number, sink):
    start = len(sink.blocks)
    markup = item.get_content().decode("utf-8", errors="replace")
    add_html(normalise_text(markup), sink)
    added = sink.blocks[start:]
    if added and added[0].kind != HEADING:
        heading = clean_inline(toc_title) or f"Chapter {number}"
        sink.blocks.insert(start, Block(HEADING, text=heading[: limits.HEADING_MAX_CHARACTERS], level=1,
                                        page=sink.page))


def _toc_titles(toc) -> dict[str, str]:
    """File name of each chapter -> its title in the table of contents (the first entry wins)."""
    titles: dict[str, str] = {}
    stack = list(toc)[::-1]
    while stack:
        entry = stack.pop()
        if isinstance(entry, tuple | list):
            section, children = entry[0], entry[1]
            stack.extend(list(children)[::-1])
            entry = section
        href = (getattr(entry, "href", "") or "").split("#")[0]
        if href and href not in titles:
            titles[href] = getattr(entry, "title", "") or ""
    return titles
