import io
import struct
import zlib

import pytest

from tests.workspaces.documents.sample_files import docx_bytes, encrypted_pdf_bytes, pdf_bytes
from workspaces.documents.decoding import PDF_CORRUPT, PDF_ENCRYPTED, normalise_text
from workspaces.documents.extraction import (
    UNSUPPORTED_TYPE,
    DocumentRefused,
    extract_text,
    filename_for_display,
    kind_for_filename,
)


def extract(name, data):
    return extract_text(stream=io.BytesIO(data), name=name)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Desktop\\plan.docx", "plan.docx"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("right-to-left\u202etxt.exe", "right-to-lefttxt.exe"),
        ("..", "untitled"),
        ("", "untitled"),
        ("  spaced name.md  ", "spaced name.md"),
    ],
)
def test_file_names_are_made_harmless_for_display(raw, shown):
    assert filename_for_display(raw) == shown


def test_a_long_file_name_is_cut_to_255_characters_keeping_its_extension():
    shown = filename_for_display("x" * 400 + ".docx")
    assert len(shown) == 255 and shown.endswith("x.docx")


@pytest.mark.parametrize(
    ("name", "extension"),
    [("a.PDF", "pdf"), ("a.markdown", "md"), ("a.htm", "html"), ("a.text", "txt"), ("a.CSV", "csv")],
)
def test_the_extension_names_the_kind(name, extension):
    assert kind_for_filename(name).extension == extension


def test_an_unknown_extension_is_refused_with_the_supported_types_listed():
    with pytest.raises(DocumentRefused) as refused:
        kind_for_filename("photo.heic")
    assert refused.value.message == UNSUPPORTED_TYPE.format(name="photo.heic")
    assert "PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx)" in refused.value.message


def test_pdf_text_pages_and_title_are_extracted():
    extracted = extract("a.pdf", pdf_bytes(["First page", "Second page"], title="Plan"))
    assert extracted.text == "First page\n\nSecond page"
    assert (extracted.title, extracted.page_count, extracted.kind.label) == ("Plan", 2, "PDF")


def test_docx_paragraphs_and_title_are_extracted():
    extracted = extract("a.docx", docx_bytes(["One.", "Two."], title="Memo"))
    assert extracted.text == "One.\n\nTwo."
    assert extracted.title == "Memo"


def test_a_title_falls_back_to_the_file_name():
    assert extract("meeting notes.txt", b"We met.").title == "meeting notes"


def test_normalised_text_has_one_newline_style_and_no_control_characters():
    assert normalise_text("a\r\nb\rc\x07d  \n\n\n\n\ne") == "a\nb\ncd\n\ne"


@pytest.mark.parametrize("error", [zlib.error("bad stream"), struct.error("short"), RecursionError(), KeyError("x")])
def test_any_error_inside_the_pdf_reader_is_a_clear_refusal_not_a_crash(monkeypatch, error):
    from pypdf import PageObject

    def extract_text_fails(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(PageObject, "extract_text", extract_text_fails)
    with pytest.raises(DocumentRefused) as refused:
        extract("odd.pdf", pdf_bytes(["Hello"]))
    assert refused.value.message == PDF_CORRUPT.format(name="odd.pdf")


def test_a_pdf_locked_only_against_editing_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Readable by anyone"]))))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert extract("locked-for-editing.pdf", out.getvalue()).text == "Readable by anyone"


def test_a_pdf_whose_cipher_cannot_be_opened_counts_as_password_protected(monkeypatch):
    from pypdf import PdfReader

    def decrypt_unsupported(self, password):
        raise NotImplementedError("unsupported cipher")

    monkeypatch.setattr(PdfReader, "decrypt", decrypt_unsupported)
    with pytest.raises(DocumentRefused) as refused:
        extract("aes.pdf", encrypted_pdf_bytes())
    assert refused.value.message == PDF_ENCRYPTED.format(name="aes.pdf")
