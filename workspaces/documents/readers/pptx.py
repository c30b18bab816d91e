"""PowerPoint (.pptx): one section a slide, headed "Slide N: its title", then its text boxes top to
bottom (indented paragraphs as list items), its tables, and its speaker notes.

A citation of a passage names its slide through that heading. Before python-pptx parses anything,
the slides are counted in the zip's listing, every XML part is scanned within the expansion
budget (`documents.zipparts`) and so is every other part (python-pptx loads the pictures too), so
a zip bomb or a deck of a million paragraphs is refused early.
"""

import re

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import ARCHIVE_CORRUPT
from workspaces.documents.readers.csv import looks_like_header
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.zipparts import Archive

SLIDE_PART = re.compile(r"^ppt/slides/slide\d+\.xml$")
XML_PART = re.compile(r"\.(xml|rels)$")
PARAGRAPH_TAG = re.compile(rb"<a:p[\s>/]")
NOTES_PREFIX = "Speaker notes: "


def slide_heading(number: int, title: str) -> str:
    return f"Slide {number}: {title}" if title else f"Slide {number}"


def read(*, stream, name, kind, sink: BlockSink):
    archive = Archive(stream=stream, name=name, kind=kind, required="ppt/presentation.xml", corrupt=ARCHIVE_CORRUPT)
    slides = [member for member in archive.names if SLIDE_PART.match(member)]
    if len(slides) > limits.MAX_SLIDES:
        raise limits.count_refusal(name=name, what="slides", limit=f"{limits.MAX_SLIDES:,} slides")
    archive.count(
        [member for member in archive.names if XML_PART.search(member)], PARAGRAPH_TAG,
        limit=limits.DOCX_MAX_BLOCKS, what="paragraphs (PowerPoint)", unit="paragraphs",
    )
    archive.scan([member for member in archive.names if not XML_PART.search(member)])  # python-pptx loads media too
    stream.seek(0)
    from pptx import Presentation  # python-pptx (and Pillow under it) only where a deck is read

    try:
        presentation = Presentation(stream)
        titles = [_add_slide(number, slide, sink) for number, slide in enumerate(presentation.slides, start=1)]
        title = presentation.core_properties.title or next(iter(titles), "")
    except DocumentRefused:
        raise
    except Exception:  # python-pptx, lxml and zipfile fail in many ways on damaged files
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt") from None
    return title, None


def _add_slide(number, slide, sink):
    title_shape = slide.shapes.title
    title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
    sink.heading(slide_heading(number, title[: limits.HEADING_MAX_CHARACTERS - 20]), 1)
    skip = title_shape.shape_id if title_shape is not None else None
    for shape in _reading_order(slide.shapes):
        if shape.shape_id != skip:
            _add_shape(shape, sink)
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            sink.paragraph(NOTES_PREFIX + notes.text)
    return title


def _reading_order(shapes):
    return sorted(shapes, key=lambda shape: (shape.top or 0, shape.left or 0))


def _add_shape(shape, sink):
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        for inner in _reading_order(shape.shapes):
            _add_shape(inner, sink)
    elif getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        sink.table(rows, header=shape.table.first_row or looks_like_header(rows))
    elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            text = "".join(run.text for run in paragraph.runs) or paragraph.text
            if paragraph.level > 0:
                sink.list_item(text, level=min(paragraph.level - 1, 5))
            else:
                sink.paragraph(text)
