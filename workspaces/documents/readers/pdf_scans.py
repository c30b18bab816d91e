"""Scanned pages of a PDF: a page with no text layer but an image is rendered with pypdfium2 and
read by OCR (`documents.ocr`), so a PDF with text on some pages and scans on others reads both.

Pages to recognise are counted before any is rendered (`limits.OCR_MAX_PAGES`); each is rendered
at `OCR_RENDER_DPI`, or less when that would pass `OCR_MAX_PIXELS`. Without Tesseract, a document
that has text elsewhere keeps it (its scanned pages stay empty); one made only of scans is refused
with the NOT_INSTALLED message.
"""

import logging
import math

from workspaces.documents import limits
from workspaces.documents.ocr import image_text
from workspaces.documents.refusals import DocumentRefused

logger = logging.getLogger(__name__)


def scanned_pages(reader, pages) -> list[int]:
    """Indexes of pages without text that show an image: the scans."""
    return [
        index for index, (page, (lines, _sizes)) in enumerate(zip(reader.pages, pages, strict=True))
        if not any(lines) and _shows_image(page)
    ]


def _shows_image(page) -> bool:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if xobjects is not None:
        for xobject in xobjects.get_object().values():
            subtype = xobject.get_object().get("/Subtype")
            if subtype in ("/Image", "/Form"):
                return True
    contents = page.get_contents()
    return contents is not None and b"BI" in contents.get_data()


def recognise(data: bytes, indexes: list[int], *, name: str, languages: str, has_text: bool) -> dict[int, list[str]]:
    """Page index -> the lines OCR reads on it."""
    if len(indexes) > limits.OCR_MAX_PAGES:
        raise limits.count_refusal(name=name, what="scanned pages", limit=f"{limits.OCR_MAX_PAGES:,} pages")
    import pypdfium2

    found = {}
    document = pypdfium2.PdfDocument(data)
    try:
        for index in indexes:
            image = _render(document[index])
            try:
                text = image_text(image, name=name, languages=languages)
            except DocumentRefused as refusal:
                if refusal.code == "ocr_missing" and has_text:
                    logger.warning("%s: %d scanned pages left unread (%s)", name, len(indexes), refusal.message)
                    return {}
                raise
            found[index] = [" ".join(line.split()) for line in text.replace("\f", "\n").split("\n")]
    finally:
        document.close()
    return found


def _render(page):
    width, height = page.get_size()  # in points, 72 a inch
    scale = limits.OCR_RENDER_DPI / 72
    if width * height * scale * scale > limits.OCR_MAX_PIXELS:
        scale = math.sqrt(limits.OCR_MAX_PIXELS / max(width * height, 1))
    try:
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
