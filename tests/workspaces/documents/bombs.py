"""Decompression bombs built in code: a few KB on disk, tens of MiB once read. Each is built once
per test process: compressing tens of MiB takes a few tenths of a second each time."""

import functools
import io
import zipfile
import zlib

from tests.workspaces.documents.sample_files import docx_bytes, pdf_file

MIB = 1024 * 1024
WORD_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@functools.cache
def docx_bomb(*, mib: int = 70, paragraph: bytes = b"<w:p/>", count: int | None = None) -> bytes:
    """A real .docx whose word/document.xml is `mib` MiB of repeated paragraphs (or `count` of them),
    streamed into the zip."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["placeholder"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write(f'<?xml version="1.0"?><w:document {WORD_NS}><w:body>'.encode())
            per_block = MIB // len(paragraph)
            total = mib * per_block if count is None else count
            for start in range(0, total, per_block):
                body.write(paragraph * min(per_block, total - start))
            body.write(b"</w:body></w:document>")
    return out.getvalue()


@functools.cache
def pdf_bomb(*, mib: int = 20, operator: bytes = b"(A) Tj\n", count: int | None = None) -> bytes:
    """A valid one-page PDF whose one Flate-compressed content stream is `mib` MiB of text operators
    (or `count` of them)."""
    count = mib * MIB // len(operator) if count is None else count
    content = b"BT /F1 12 Tf 72 720 Td\n" + operator * count + b"ET"
    compressed = zlib.compress(content, 9)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
           b"/Contents 5 0 R >>",
        5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(compressed), compressed),
    }
    return pdf_file(objects)


def docx_of_paragraphs(count: int) -> bytes:
    """A .docx of `count` one-letter paragraphs: about 60 KB for 600,000."""
    paragraph = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"
    return docx_bomb(paragraph=paragraph, count=count)


def pdf_of_pages(count: int) -> bytes:
    """A PDF of `count` pages of one word each: one page object, listed `count` times in the page tree."""
    content = b"BT /F1 12 Tf 72 720 Td (Page) Tj ET"
    per_node = 200
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" 6 0 R" * (count // per_node) + b"] /Count %d >>" % count,
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 6 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
           b"/Contents 5 0 R >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        6: b"<< /Type /Pages /Parent 2 0 R /Kids [" + b" 4 0 R" * per_node + b"] /Count %d >>" % per_node,
    }
    return pdf_file(objects)


def pdf_of_operators(count: int, *, pages: int = 1, operator: bytes = b"0 0 m\n") -> bytes:
    """A PDF of `pages` pages sharing one content stream of `count // pages` drawing operators
    (a path of that many points), so `count` in all; a few KB."""
    content = b"BT /F1 12 Tf 72 720 Td (Map) Tj ET\n" + operator * (count // pages)
    compressed = zlib.compress(content, 9)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" 4 0 R" * pages + b"] /Count %d >>" % pages,
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
           b"/Contents 5 0 R >>",
        5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(compressed), compressed),
    }
    return pdf_file(objects)
