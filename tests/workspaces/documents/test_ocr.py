"""Scans read by OCR (Tesseract, as installed on this machine: eng and deu), in the workspace's
languages; PDFs mixing text and scans; PDF tables kept as tables; a server without Tesseract."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from tests.workspaces.chats.asking import ask
from tests.workspaces.documents.format_files import (
    image_bytes,
    mixed_pdf_bytes,
    scan_image,
    scanned_pdf_bytes,
    table_pdf_bytes,
)
from tests.workspaces.documents.sample_files import pdf_bytes
from workspaces.documents import limits
from workspaces.documents.blocks import PAGE_BREAK, TABLE
from workspaces.documents.extraction import DocumentRefused, extract_text
from workspaces.documents.ocr import LANGUAGE_MISSING, NO_OCR, NOT_INSTALLED, installed_languages, ocr_languages_check
from workspaces.documents.services import document_ingest
from workspaces.models import WorkspaceChat
from workspaces.retrieval.search import search_passages
from workspaces.services import workspace_update

PRICES = [["Product", "Price"], ["Widget", "12 EUR"], ["Gadget", "30 EUR"]]
SETTINGS = {"name": "Research", "chat_mode": "chat", "top_n": "4", "similarity_threshold": "0.2"}


def extract(name, data, languages="eng"):
    return extract_text(stream=io.BytesIO(data), name=name, ocr_languages=languages)


def pages(extracted):
    """Page number -> the words on it."""
    found: dict[int, str] = {}
    for block in extracted.blocks:
        if block.kind != PAGE_BREAK:
            found[block.page] = f"{found.get(block.page, '')} {block.plain_text()}".strip()
    return found


@pytest.fixture
def no_tesseract(settings):
    settings.TESSERACT_CMD = "/nonexistent/tesseract"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "format"), [("scan.png", "PNG"), ("scan.jpg", "JPEG"), ("scan.tiff", "TIFF")])
def test_an_image_is_read_by_ocr_as_one_page(name, format):
    extracted = extract(name, image_bytes(["The vault code is 4711", "Ask Maria for the key"], format=format))
    assert pages(extracted) == {1: "The vault code is 4711 Ask Maria for the key"}
    assert extracted.page_count == 1


@pytest.mark.slow
def test_a_scanned_pdf_is_read_page_by_page():
    extracted = extract("scan.pdf", scanned_pdf_bytes([["Invoice number 998877"], ["Payment due in thirty days"]]))
    assert pages(extracted) == {1: "Invoice number 998877", 2: "Payment due in thirty days"}


@pytest.mark.slow
def test_a_pdf_with_a_text_page_and_a_scanned_page_reads_both():
    extracted = extract("mixed.pdf", mixed_pdf_bytes("Typed page about llamas", ["Scanned page about alpacas"]))
    assert pages(extracted) == {1: "Typed page about llamas", 2: "Scanned page about alpacas"}


@pytest.mark.slow
def test_scans_are_read_in_the_languages_asked_for():
    data = image_bytes(["Die Sitzung beginnt morgen um neun Uhr"])
    assert pages(extract("scan.png", data, languages="deu+eng")) == {1: "Die Sitzung beginnt morgen um neun Uhr"}
    with pytest.raises(DocumentRefused) as refused:
        extract("scan.png", data, languages="fra")
    assert refused.value.message == LANGUAGE_MISSING.format(name="scan.png", language="fra")


def test_without_tesseract_a_scan_fails_with_a_clear_message(no_tesseract):
    with pytest.raises(DocumentRefused) as refused:
        extract("scan.pdf", scanned_pdf_bytes([["Invoice number 998877"]]))
    assert refused.value.message == NOT_INSTALLED.format(name="scan.pdf")
    assert refused.value.code == "ocr_missing"
    with pytest.raises(DocumentRefused) as refused:
        extract("scan.png", image_bytes(["Invoice"]))
    assert refused.value.message == NOT_INSTALLED.format(name="scan.png")


def test_without_tesseract_text_pdfs_still_read_and_a_mixed_one_keeps_its_text(no_tesseract):
    assert pages(extract("plain.pdf", pdf_bytes(["Typed words only"]))) == {1: "Typed words only"}
    mixed = extract("mixed.pdf", mixed_pdf_bytes("Typed page about llamas", ["Scanned page about alpacas"]))
    assert pages(mixed) == {1: "Typed page about llamas"}


def test_an_image_of_more_pixels_than_the_cap_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(limits, "OCR_MAX_PIXELS", 1000)
    with pytest.raises(DocumentRefused) as refused:
        extract("scan.png", image_bytes(["Too big"]))
    assert refused.value.code == "too_large" and "pixels" in refused.value.message


def test_a_tiff_of_more_pages_than_the_cap_is_refused_from_its_header(monkeypatch):
    monkeypatch.setattr(limits, "OCR_MAX_PAGES", 2)
    frames = [scan_image([f"Page {n}"], size=(200, 100)) for n in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(DocumentRefused) as refused:
        extract("pages.tif", out.getvalue())
    assert "2 pages" in refused.value.message


def test_a_png_that_is_not_an_image_is_refused_as_not_what_it_claims():
    with pytest.raises(DocumentRefused) as refused:
        extract("photo.png", b"%PDF-1.4 not an image")
    assert refused.value.code == "mismatch"


def test_a_pdf_table_drawn_with_rules_comes_out_as_a_table_in_its_place():
    extracted = extract("prices.pdf", table_pdf_bytes("Prices for this year", PRICES, "Prices include tax."))
    kinds = [(block.kind, block.plain_text()) for block in extracted.blocks if block.kind != PAGE_BREAK]
    assert kinds == [
        ("paragraph", "Prices for this year"),
        (TABLE, "Product | Price\nWidget | 12 EUR\nGadget | 30 EUR"),
        ("paragraph", "Prices include tax."),
    ]
    assert extracted.blocks[2].header and extracted.blocks[2].page == 1


@pytest.mark.django_db
def test_a_pdf_table_is_a_table_on_the_document_page_and_in_search(member_client, workspace):
    document = document_ingest(
        workspace=workspace, filename="prices.pdf",
        uploaded_file=ContentFile(table_pdf_bytes("Prices for this year", PRICES, "Prices include tax.")),
    )
    page = " ".join(member_client.get(document.get_absolute_url()).content.decode().split())
    assert "<table" in page and "Gadget" in page.split("<table", 1)[1].split("</table>", 1)[0]
    hit = search_passages(workspace=workspace, query="gadget price")[0]
    assert "Gadget | 30 EUR" in hit.text


@pytest.mark.slow
@pytest.mark.django_db
def test_an_answer_found_only_on_a_scanned_page_cites_that_page(member_client, workspace):
    welcome = [f"Welcome to the harbour office handbook, part {n} of the introduction for staff." for n in range(12)]
    data = mixed_pdf_bytes(welcome, ["The night ferry leaves at 23:40 daily"])
    document_ingest(workspace=workspace, uploaded_file=ContentFile(data), filename="harbour.pdf")
    ask(member_client, workspace, "When does the night ferry leave?")
    source = WorkspaceChat.objects.get().answer.sources[0]
    assert source.label == "harbour.pdf, p. 2"
    assert "23:40" in source.quote


@pytest.mark.django_db
def test_the_owner_chooses_ocr_languages_among_those_installed(owner_client, workspace):
    assert {"eng", "deu"} <= set(installed_languages())
    page = owner_client.get(f"/w/{workspace.slug}/settings/").content.decode()
    assert "Installed here: deu, eng" in page
    response = owner_client.post(f"/w/{workspace.slug}/settings/", {**SETTINGS, "ocr_languages": "deu, eng"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.ocr_languages == "deu+eng"
    response = owner_client.post(f"/w/{workspace.slug}/settings/", {**SETTINGS, "ocr_languages": "eng+klingon"})
    assert response.status_code == 400
    assert "Not installed on this server: klingon" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.ocr_languages == "deu+eng"


@pytest.mark.django_db
def test_without_tesseract_no_language_can_be_chosen_but_other_settings_still_save(no_tesseract, owner, workspace):
    with pytest.raises(ValidationError) as refused:
        workspace_update(actor=owner, workspace=workspace, ocr_languages="deu")
    assert refused.value.message_dict == {"ocr_languages": [NO_OCR]}
    workspace_update(actor=owner, workspace=workspace, ocr_languages="eng", description="Still saves")
    workspace.refresh_from_db()
    assert workspace.description == "Still saves"


def test_an_empty_choice_of_languages_is_refused():
    with pytest.raises(ValidationError):
        ocr_languages_check(value=" + ")


@pytest.mark.slow
def test_a_transparent_screenshot_is_read_as_ink_on_paper():
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (1200, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((50, 100), "Badge number 5521", fill=(0, 0, 0, 255),
                               font=ImageFont.load_default(size=44))
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert pages(extract("badge.png", out.getvalue())) == {1: "Badge number 5521"}


@pytest.mark.django_db
def test_the_admin_checks_ocr_languages_by_the_same_rule(admin_client):
    from workspaces.models import Workspace

    form = {"name": "Scans", "chat_mode": "chat", "history_length": 20, "top_n": 4, "similarity_threshold": 0.25,
            "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0}
    response = admin_client.post("/admin/workspaces/workspace/add/", {**form, "ocr_languages": "klingon"})
    assert response.status_code == 200 and "Not installed on this server: klingon" in response.content.decode()
    admin_client.post("/admin/workspaces/workspace/add/", {**form, "ocr_languages": "eng deu"})
    assert Workspace.objects.get().ocr_languages == "eng+deu"
