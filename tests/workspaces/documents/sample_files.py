"""Small real files built in code: no binary fixtures in the repository."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes(pages: list[str], *, title: str | None = None) -> bytes:
    """A minimal valid PDF: one Helvetica text line per page, a correct xref table."""
    return pdf_lines_bytes([[(12, text)] for text in pages], title=title)


def encrypted_pdf_bytes(text: str = "Secret plans") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([text]))))
    writer.encrypt(user_password="open-sesame", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, title: str = "") -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


def upload(name: str, data: bytes | str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    if isinstance(data, str):
        data = data.encode()
    return SimpleUploadedFile(name, data, content_type=content_type)


def words(count: int, prefix: str = "word") -> str:
    return " ".join(f"{prefix}{n}" for n in range(1, count + 1))


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT (a temporary folder per test), relative to it."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def pdf_lines_bytes(pages: list[list[tuple[int, str]]], *, title: str | None = None) -> bytes:
    """A real PDF whose pages hold lines of text, each `(font size, text)`, top to bottom.

    Every line is its own text object at its own height, as word processors write them,
    so pypdf reads them back as separate lines; a larger size makes a heading.
    """
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for index, lines in enumerate(pages):
        page_id, content_id = 4 + 2 * index, 5 + 2 * index
        commands, y = [], 760
        for size, text in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
            commands.append(b"BT /F1 %d Tf 72 %d Td (%s) Tj ET" % (size, y, escaped))
            y -= int(size * 1.6)
        stream = b"\n".join(commands)
        objects[content_id] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % content_id
        )
        kids.append(b"%d 0 R" % page_id)
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)
    return pdf_file(objects, title)


def pdf_file(objects: dict[int, bytes], title: str | None = None) -> bytes:
    """A PDF file of numbered `objects` (1: the catalog) with its cross-reference table and trailer."""
    info_id = None
    if title is not None:
        info_id = max(objects) + 1
        objects[info_id] = b"<< /Title (" + title.encode("latin-1") + b") >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for number in sorted(objects):
        out.write(b"%010d 00000 n \n" % offsets[number])
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if info_id:
        trailer += b" /Info %d 0 R" % info_id
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def handbook_pdf_bytes() -> bytes:
    """Three pages with a running header and footer, headings, and a word hyphenated across lines."""
    def page(number, body):
        return [(9, "ACME Corp - Employee handbook"), *body, (9, f"Page {number} of 3")]

    return pdf_lines_bytes(
        [
            page(1, [
                (20, "Employee handbook"),
                (12, "This handbook explains how we work together and what the company"),
                (12, "expects of everyone who joins the team in any of its offices."),
                (16, "Leave"),
                (12, "Every employee may take paid leave. Requests go to the line man-"),
                (12, "ager at least two weeks before the first day away from work."),
            ]),
            page(2, [
                (14, "Annual leave"),
                (12, "Full-time staff receive twenty-eight days of annual leave each year,"),
                (12, "including public holidays."),
                (12, "Unused days may be carried over until the end of March."),
            ]),
            page(3, [
                (16, "Expenses"),
                (12, "Travel costs are refunded within thirty days of a complete claim."),
            ]),
        ],
        title="(anonymous)",
    )


def policy_docx_bytes() -> bytes:
    """A Word document with a title, headings, a bulleted list and a table between two paragraphs."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Microsoft Word - policy.docx"
    document.add_heading("Travel policy", level=1)
    document.add_paragraph("Staff travel by train when the journey takes under four hours.")
    document.add_heading("Allowances", level=2)
    table = document.add_table(rows=3, cols=2)
    cells = [("City", "Daily allowance"), ("Paris", "95 EUR"), ("Berlin", "80 EUR")]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.add_paragraph("Allowances cover meals and local transport.")
    document.add_paragraph("Receipts for taxis", style="List Bullet")
    document.add_paragraph("Receipts for hotels", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SITES_HTML = """<!doctype html><html><head><title>untitled</title><style>body{color:red}</style>
<script>track()</script></head><body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<h1>Ancient sites</h1><p>The <b>lighthouse</b> stood on the island of Pharos.</p>
<h2>Timeline</h2>
<table><tr><th>Year</th><th>Event</th></tr><tr><td>280 BC</td><td>Construction</td></tr>
<tr><td>1480</td><td>Fort built on the ruins</td></tr></table>
<ul><li>Built of limestone</li><li>Over 100 metres tall</li></ul>
</body></html>"""

GUIDE_MD = """# Install guide

Run the **installer** twice, then check the [log](https://example.com/log).

## Prices

| Month | Revenue |
|-------|---------|
| March | 280 |
| April | 310 |

## Script

```python
def hello():
    print("hi")
```

1. Download
2. Install
"""

REVENUE_CSV = "Month,Revenue,Region\nJanuary,120,North\nFebruary,135,North\nMarch,280,South\n"
