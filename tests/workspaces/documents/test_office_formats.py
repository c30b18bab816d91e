"""Slides, sheets, OpenDocument text, EPUB and e-mail: structure kept as blocks, every reader bounded,
and answers citing the slide or sheet they come from."""

import io

import pytest
from django.core.files.base import ContentFile

from tests.workspaces.chats.asking import ask
from tests.workspaces.documents.format_files import (
    eml_bytes,
    epub_bytes,
    ods_bytes,
    odt_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_of,
)
from tests.workspaces.documents.sample_files import docx_bytes
from workspaces.documents import limits
from workspaces.documents.blocks import HEADING, LIST_ITEM, PARAGRAPH, TABLE
from workspaces.documents.decoding import CONTENT_MISMATCH
from workspaces.documents.extraction import DocumentRefused, extract_text
from workspaces.documents.services import document_ingest
from workspaces.models import WorkspaceChat, WorkspaceDocument

DECK = [
    {"title": "Quarterly results", "bullets": ["Revenue grew by a fifth", "Costs fell"],
     "notes": "Mention that the fjord ferry contract was renewed until 2031."},
    {"title": "Team", "table": [["Name", "Role"], ["Ana", "Lead"], ["Bo", "Designer"]]},
]
BUDGET = {
    "Overview": [["Project", "Owner"], ["Lighthouse", "Ana"]],
    "Q3 costs": [["Item", "Cost"], ["Telescope lenses", 12000], ["Harbour crane rental", 3400.5]],
}


def extract(name, data):
    return extract_text(stream=io.BytesIO(data), name=name)


def shape(extracted):
    return [(block.kind, block.plain_text()) for block in extracted.blocks]


def ingest(workspace, name, data, user=None):
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(data, name=name), filename=name, user=user)


def test_each_slide_is_a_section_named_by_its_number_and_title_with_its_text_table_and_notes():
    extracted = extract("deck.pptx", pptx_bytes(DECK))
    assert shape(extracted) == [
        (HEADING, "Slide 1: Quarterly results"),
        (PARAGRAPH, "Revenue grew by a fifth"),
        (PARAGRAPH, "Costs fell"),
        (PARAGRAPH, "Speaker notes: Mention that the fjord ferry contract was renewed until 2031."),
        (HEADING, "Slide 2: Team"),
        (TABLE, "Name | Role\nAna | Lead\nBo | Designer"),
    ]
    assert extracted.title == "Quarterly results"
    assert extracted.blocks[-1].header


def test_each_sheet_is_a_table_under_its_name_numbers_written_as_people_read_them():
    extracted = extract("budget.xlsx", xlsx_bytes({**BUDGET, "Empty": []}))
    assert shape(extracted) == [
        (HEADING, "Sheet: Overview"),
        (TABLE, "Project | Owner\nLighthouse | Ana"),
        (HEADING, "Sheet: Q3 costs"),
        (TABLE, "Item | Cost\nTelescope lenses | 12000\nHarbour crane rental | 3400.5"),
    ]
    assert all(block.header for block in extracted.blocks if block.kind == TABLE)
    assert extracted.title == "budget"


def test_an_opendocument_spreadsheet_reads_like_an_excel_one():
    extracted = extract("budget.ods", ods_bytes({"Q3 costs": [["Item", "Cost"], ["Telescope lenses", "12000"]]}))
    assert shape(extracted) == [(HEADING, "Sheet: Q3 costs"), (TABLE, "Item | Cost\nTelescope lenses | 12000")]


def test_an_opendocument_text_keeps_headings_paragraphs_and_lists():
    extracted = extract("notes.odt", odt_bytes(heading="Onboarding", paragraphs=["Welcome aboard."],
                                               items=["Collect your badge", "Set up your laptop"]))
    assert shape(extracted) == [
        (HEADING, "Onboarding"), (PARAGRAPH, "Welcome aboard."),
        (LIST_ITEM, "Collect your badge"), (LIST_ITEM, "Set up your laptop"),
    ]


def test_an_epub_reads_chapter_by_chapter_each_under_its_title_from_the_table_of_contents():
    extracted = extract("guide.epub", epub_bytes([("Birds", "Puffins nest on sea cliffs."),
                                                  ("Fish", "Cod live in cold water.")]))
    assert shape(extracted) == [
        (HEADING, "Birds"), (PARAGRAPH, "Puffins nest on sea cliffs."),
        (HEADING, "Fish"), (PARAGRAPH, "Cod live in cold water."),
    ]
    assert extracted.title == "Field guide"


def test_an_email_keeps_subject_headers_body_and_names_its_attachments_handing_over_readable_ones():
    extracted = extract("offsite.eml", eml_bytes(
        subject="Offsite plan", body="Hello team,\n\nThe offsite is in Porto this year.\n",
        attachments={"agenda.txt": b"Day one: talks about tides.", "photos.zip": b"PK\x03\x04"},
    ))
    assert shape(extracted) == [
        (HEADING, "Offsite plan"),
        (TABLE, "From | Ana Lima <ana@example.org>\nTo | team@example.org\nDate | Mon, 07 Dec 2026 09:00:00 +0000"),
        (PARAGRAPH, "Hello team,"),
        (PARAGRAPH, "The offsite is in Porto this year."),
        (HEADING, "Attachments"),
        (LIST_ITEM, "agenda.txt"),
        (LIST_ITEM, "photos.zip"),
    ]
    assert extracted.attachments == (("agenda.txt", b"Day one: talks about tides."),)


@pytest.mark.parametrize("name", ["deck.pptx", "budget.xlsx", "budget.ods", "notes.odt", "guide.epub"])
def test_another_zip_under_an_office_name_is_refused_as_not_what_it_claims(name):
    with pytest.raises(DocumentRefused) as refused:
        extract(name, docx_bytes(["A Word document, not the claimed kind."]))
    assert refused.value.code == "mismatch"
    assert refused.value.message.startswith(CONTENT_MISMATCH.split("{kind}")[0].format(name=name))


def test_a_text_file_named_as_an_email_is_refused_as_not_an_email():
    with pytest.raises(DocumentRefused) as refused:
        extract("note.eml", b"just a line of words\nand another")
    assert refused.value.code == "mismatch"


def test_a_sheet_of_more_cells_than_the_cap_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(limits, "SHEET_MAX_CELLS", 50)
    with pytest.raises(DocumentRefused) as refused:
        extract("big.xlsx", xlsx_bytes({"Data": [[row, row * 2] for row in range(40)]}))
    assert refused.value.code == "too_large" and "50 cells" in refused.value.message


def test_repeated_opendocument_rows_count_as_the_rows_they_stand_for(monkeypatch):
    """One row element "repeated" a million times is a million rows, not one."""
    content = (
        b'<?xml version="1.0"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="Bomb"><table:table-row table:number-rows-repeated="1000000">'
        b'<table:table-cell table:number-columns-repeated="1000"><text:p>x</text:p></table:table-cell>'
        b"</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with pytest.raises(DocumentRefused) as refused:
        extract("bomb.ods", zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                    "content.xml": content}))
    assert refused.value.code == "too_large" and "200,000 rows" in refused.value.message


def test_a_deck_whose_xml_expands_past_the_cap_is_refused_as_a_zip_bomb(monkeypatch):
    monkeypatch.setattr(limits, "ZIP_MAX_EXPANDED_BYTES", 64 * 1024)
    deck = pptx_bytes([{"title": "Padding", "bullets": ["word " * 20_000]}])
    with pytest.raises(DocumentRefused) as refused:
        extract("deck.pptx", deck)
    assert refused.value.code == "too_large" and "expands to more XML" in refused.value.message


def test_a_deck_of_more_slides_than_the_cap_is_refused_from_its_listing(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SLIDES", 2)
    with pytest.raises(DocumentRefused) as refused:
        extract("deck.pptx", pptx_bytes([{"title": f"Slide {n}"} for n in range(3)]))
    assert "2 slides" in refused.value.message


@pytest.mark.django_db
def test_an_answer_from_speaker_notes_cites_the_slide(member_client, workspace):
    ingest(workspace, "deck.pptx", pptx_bytes(DECK))
    ask(member_client, workspace, "Until when was the fjord ferry contract renewed?")
    source = WorkspaceChat.objects.get().answer.sources[0]
    assert source.label == "deck.pptx, Slide 1: Quarterly results"
    assert "2031" in source.quote


@pytest.mark.django_db
def test_an_answer_from_a_spreadsheet_cell_cites_the_sheet(member_client, workspace):
    ingest(workspace, "budget.xlsx", xlsx_bytes(BUDGET))
    ask(member_client, workspace, "What does the harbour crane rental cost?")
    source = WorkspaceChat.objects.get().answer.sources[0]
    assert source.label == "budget.xlsx, Sheet: Q3 costs"
    assert "3400.5" in source.quote


@pytest.mark.django_db
def test_an_emails_attachment_becomes_a_document_of_the_same_workspace_linked_to_the_email(workspace, user):
    workspace.memberships.filter(user=user).update(role="editor")
    message = eml_bytes(subject="Offsite plan", body="See the agenda attached.",
                        attachments={"agenda.txt": b"Day one: talks about tides and harbours."})
    email = ingest(workspace, "offsite.eml", message, user=user)
    attachment = WorkspaceDocument.objects.get(filename="agenda.txt")
    assert attachment.workspace == workspace and attachment.uploaded_by == user
    assert attachment.status == "ready" and "tides" in attachment.passages.get().text
    assert attachment.metadata["attached_to"] == {"doc_id": str(email.doc_id), "filename": "offsite.eml"}
    email.refresh_from_db()
    assert email.status == "ready"


def test_a_lone_cell_far_to_the_right_does_not_widen_the_table_with_empty_columns():
    extracted = extract("far.xlsx", xlsx_bytes({"Data": [["Item", "Cost"], ["Rope", 12], [*[None] * 25, "Note"]]}))
    assert shape(extracted)[1] == (TABLE, "Item | Cost | \nRope | 12 | \n |  | Note")


def test_a_picture_shown_inside_an_email_is_not_taken_for_an_attachment():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"] = "ana@example.org", "Signed"
    message.set_content("Plain body")
    message.add_attachment(b"\x89PNG logo", maintype="image", subtype="png", cid="<logo>", filename="logo.png",
                           disposition="inline")
    message.add_attachment(b"Minutes of the meeting.", maintype="text", subtype="plain", filename="minutes.txt")
    extracted = extract("signed.eml", message.as_bytes())
    assert extracted.attachments == (("minutes.txt", b"Minutes of the meeting."),)
    assert shape(extracted)[-1] == (LIST_ITEM, "minutes.txt")


def test_a_deck_with_a_picture_that_expands_past_the_cap_is_refused_before_python_pptx_loads_it(monkeypatch):
    import zipfile

    monkeypatch.setattr(limits, "ZIP_MAX_EXPANDED_BYTES", 1024 * 1024)
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(pptx_bytes(DECK)))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as deck:
        for item in source.infolist():
            deck.writestr(item, source.read(item))
        deck.writestr("ppt/media/bomb.png", b"\0" * (4 * 1024 * 1024))
    with pytest.raises(DocumentRefused) as refused:
        extract("deck.pptx", out.getvalue())
    assert refused.value.code == "too_large"
