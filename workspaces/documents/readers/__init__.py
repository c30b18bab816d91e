"""One reader per file format: `read(*, stream, name, kind, sink) -> (metadata title, page count)`.

A reader checks that the content is what the name claims (raising DocumentRefused
otherwise) and adds the document's blocks, in reading order, to `sink`.
"""

from workspaces.documents.readers import csv, docx, html, markdown, pdf, text

READERS = {
    "pdf": pdf.read,
    "docx": docx.read,
    "html": html.read,
    "md": markdown.read,
    "csv": csv.read,
    "txt": text.read,
}
