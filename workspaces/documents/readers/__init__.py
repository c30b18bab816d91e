"""One reader per file format: `read(*, stream, name, kind, sink) -> (metadata title, page count)`.

A reader checks that the content is what the name claims (raising DocumentRefused
otherwise) and adds the document's blocks, in reading order, to `sink`. The readers of
kinds that may need OCR (`kinds.OCR_KINDS`) also take `ocr_languages` ("eng+deu").
"""

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
