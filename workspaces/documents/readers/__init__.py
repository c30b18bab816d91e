"""One reader per file format: `read(*, stream, name, kind, sink) -> (metadata title, page count)`.

A reader checks that the content is what the name claims (raising DocumentRefused
otherwise) and adds the document's blocks, in reading order, to `sink`. The readers of
kinds that may need OCR (`kinds.OCR_KINDS`) also take `ocr_languages` ("eng+deu").
"""

import importlib

from workspaces.documents.readers import csv, docx, eml, epub, html, image, markdown, odt, pdf, pptx, sheets, text

READERS = {
    "pdf": pdf.read,
    "docx": docx.read,
    "html": html.read,
    "md": markdown.read,
    "csv": csv.read,
    "txt": text.read,
    "pptx": pptx.read,
    "xlsx": sheets.read_xlsx,
    "ods": sheets.read_ods,
    "odt": odt.read,
    "epub": epub.read,
    "eml": eml.read,
    "png": image.read,
    "jpg": image.read,
    "tif": image.read,
}

# Parsers that readers import only when they read (a web process that never reads a file does not
# load them). A process about to fork extraction children loads them once, before the first fork, so
# no child imports them again: importing pypdf alone took 0.3–0.5 s of every PDF's child.
LAZY_PARSERS = (
    "pypdf", "pdfplumber", "pypdfium2", "pytesseract", "PIL.Image", "openpyxl", "ebooklib.epub", "lxml.etree", "pptx",
)


def parsers_preload() -> None:
    for module in LAZY_PARSERS:
        importlib.import_module(module)
