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
def docx_bomb(*, mib: int = 70, paragraph: bytes = b"<w:p/>") -> bytes:
    """A real .docx whose word/document.xml is `mib` MiB of repeated paragraphs, streamed into the zip."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["placeholder"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write(f'<?xml version="1.0"?><w:document {WORD_NS}><w:body>'.encode())
            block = paragraph * (MIB // len(paragraph))
            for _ in range(mib):
                body.write(block)
            body.write(b"</w:body></w:document>")
    return out.getvalue()


@functools.cache
def pdf_bomb(*, mib: int = 20, operator: bytes = b"(A) Tj\n") -> bytes:
    """A valid one-page PDF whose one Flate-compressed content stream is `mib` MiB of text operators."""
    content = b"BT /F1 12 Tf 72 720 Td\n" + operator * (mib * MIB // len(operator)) + b"ET"
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
