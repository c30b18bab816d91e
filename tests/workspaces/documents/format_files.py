"""Files of the formats read through libraries and OCR, built by the tests: slides (python-pptx),
sheets (openpyxl, odfpy), OpenDocument text, an EPUB, an e-mail with an attachment, scanned pages
(Pillow draws the text) and a PDF whose table is drawn with ruling lines."""

import io
import zipfile
from email.message import EmailMessage

from tests.workspaces.documents.sample_files import pdf_file, pdf_lines_bytes


def pptx_bytes(slides: list[dict]) -> bytes:
    """Slides of {"title", "bullets": [...], "notes", "table": rows}."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for spec in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = spec.get("title", "")
        body = slide.placeholders[1].text_frame
        for index, bullet in enumerate(spec.get("bullets", [])):
            paragraph = body.paragraphs[0] if index == 0 else body.add_paragraph()
            paragraph.text = bullet
        if spec.get("table"):
            rows = spec["table"]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(1), Inches(5), Inches(6), Inches(1))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
        if spec.get("notes"):
            slide.notes_slide.notes_text_frame.text = spec["notes"]
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_bytes(sheets: dict[str, list[list[str]]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for title, rows in sheets.items():
        table = Table(name=title)
        for row in rows:
            table_row = TableRow()
            for value in row:
                cell = TableCell()
                cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def odt_bytes(*, heading: str, paragraphs: list[str], items: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    bullets = List()
    for item in items:
        list_item = ListItem()
        list_item.addElement(P(text=item))
        bullets.addElement(list_item)
    document.text.addElement(bullets)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def epub_bytes(chapters: list[tuple[str, str]], *, title: str = "Field guide") -> bytes:
    """An EPUB 3 of (chapter title, paragraph) chapters; the chapter title is only in the table of contents."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("docent-test-book")
    book.set_title(title)
    book.set_language("en")
    items = []
    for number, (chapter_title, text) in enumerate(chapters, start=1):
        item = epub.EpubHtml(title=chapter_title, file_name=f"chapter{number}.xhtml", lang="en")
        item.content = f"<html><body><p>{text}</p></body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


def eml_bytes(*, subject: str, body: str, attachments: dict[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Ana Lima <ana@example.org>"
    message["To"] = "team@example.org"
    message["Date"] = "Mon, 07 Dec 2026 09:00:00 +0000"
    message["Subject"] = subject
    message.set_content(body)
    for name, data in attachments.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def scan_image(lines: list[str], *, size=(1700, 1100)):
    """A page as a scanner would give it: black text drawn on white, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for number, line in enumerate(lines):
        draw.text((100, 120 + number * 90), line, fill=0, font=font)
    return image


def image_bytes(lines: list[str], *, format: str = "PNG") -> bytes:
    out = io.BytesIO()
    scan_image(lines).save(out, format=format)
    return out.getvalue()


def scanned_pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF of page images only (Pillow writes it): what a scanner makes."""
    images = [scan_image(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def mixed_pdf_bytes(text_page: str | list[str], scanned_lines: list[str]) -> bytes:
    """Page 1 has a text layer (a line, or lines); page 2 is a scan."""
    from pypdf import PdfReader, PdfWriter

    lines = [text_page] if isinstance(text_page, str) else text_page
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_lines_bytes([[(12, line) for line in lines]]))))
    writer.append(PdfReader(io.BytesIO(scanned_pdf_bytes([scanned_lines]))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def table_pdf_bytes(intro: str, rows: list[list[str]], outro: str) -> bytes:
    """One page: a line of text, a table drawn with ruling lines (one rectangle a cell), a line of text."""
    commands = [b"BT /F1 12 Tf 72 740 Td (%s) Tj ET" % intro.encode("latin-1")]
    top, height, width, left = 700, 24, 150, 72
    for r, row in enumerate(rows):
        y = top - (r + 1) * height
        for c, value in enumerate(row):
            x = left + c * width
            commands.append(b"%d %d %d %d re S" % (x, y, width, height))
            commands.append(b"BT /F1 11 Tf %d %d Td (%s) Tj ET" % (x + 6, y + 8, value.encode("latin-1")))
    y = top - (len(rows) + 2) * height
    commands.append(b"BT /F1 12 Tf 72 %d Td (%s) Tj ET" % (y, outro.encode("latin-1")))
    stream = b"\n".join(commands)
    return pdf_file({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
           b"/Contents 5 0 R >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    })


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
