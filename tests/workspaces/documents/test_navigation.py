"""Moving through a long document on its page: outline, page jump (PDF) and find, all without JavaScript."""

import re

import pytest
from django.core.files.base import ContentFile

from tests.workspaces.documents.sample_files import GUIDE_MD, handbook_pdf_bytes, pdf_lines_bytes
from workspaces.documents import reading
from workspaces.documents.navigation import FOUND_PER_PAGE, NOT_PAGINATED, NOTHING_TO_FIND, PAGE_OUT_OF_RANGE
from workspaces.documents.services import document_ingest

pytestmark = pytest.mark.django_db


def ingest(workspace, name, data):
    content = data.encode() if isinstance(data, str) else data
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(content, name=name), filename=name)


TOPICS = ["arrival", "desks", "meetings", "travel", "expenses", "weather", "security", "leaving", "archives",
          "kitchen", "parking", "printing", "visitors", "training", "payroll", "holidays", "pensions", "laptops",
          "phones", "mail", "cleaning", "gardens", "library", "closing"]


def chapters_pdf(pages=8) -> bytes:
    """A PDF of `pages` pages, each a chapter: a heading and two paragraphs (no line repeats on
    every page, or it would be read as a running header)."""
    return pdf_lines_bytes([
        [(16, f"{TOPICS[number - 1].title()} rules"),
         (12, f"Rules about {TOPICS[number - 1]} apply to staff from their {number * 3} first days on."),
         (12, f"Questions on {TOPICS[number - 1]} go to the {TOPICS[-number]} desk on floor {number}.")]
        + ([(12, "The lighthouse keeper logs the weather every morning at six.")] if number == 6 else [])
        for number in range(1, pages + 1)
    ])


@pytest.fixture
def short_parts(monkeypatch):
    """Parts of the reading page of a few passages, so a short PDF reads as several parts."""
    monkeypatch.setattr(reading, "READING_PAGE_WORDS", 60)


def outline_links(body):
    return re.findall(r'<li class="outline-level-(\d)"><a href="([^"]+)">([^<]+)</a>', body)


def test_the_outline_lists_the_headings_by_level_each_linking_to_its_passage(member_client, workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    body = member_client.get(document.get_absolute_url()).content.decode()
    assert outline_links(body) == [
        ("0", "?page=1#p1", "Employee handbook"),
        ("1", "?page=1#p2", "Leave"),
        ("2", "?page=1#p3", "Annual leave"),
        ("1", "?page=1#p4", "Expenses"),
    ]
    assert 'id="p3"' in body


def test_outline_links_land_on_the_part_that_shows_the_heading(member_client, workspace, short_parts):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    body = member_client.get(document.get_absolute_url()).content.decode()
    links = outline_links(body)
    assert [title for _level, _href, title in links] == [f"{topic.title()} rules" for topic in TOPICS[:8]]
    level, href, _title = links[-1]
    part, anchor = re.fullmatch(r"\?page=(\d+)#(p\d+)", href).groups()
    assert int(part) > 1
    last_part = member_client.get(document.get_absolute_url() + href.split("#")[0]).content.decode()
    assert f'id="{anchor}"' in last_part and "Leaving rules" in last_part


def test_page_jump_goes_to_the_part_that_holds_the_pdf_page_at_its_mark(member_client, workspace, short_parts):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    response = member_client.get(document.get_absolute_url(), {"goto": "7"})
    assert response.status_code == 302
    part, anchor = re.fullmatch(r".*\?page=(\d+)#(page-7)", response["Location"]).groups()
    assert int(part) > 1
    landed = member_client.get(response["Location"].split("#")[0]).content.decode()
    assert 'id="page-7"' in landed and "Rules about security" in landed


@pytest.mark.parametrize("number", ["0", "9", "seven", ""])
def test_a_page_out_of_range_is_refused_on_the_page_with_a_message(member_client, workspace, number):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    response = member_client.get(document.get_absolute_url(), {"goto": number})
    body = response.content.decode()
    assert response.status_code == 400
    assert PAGE_OUT_OF_RANGE.format(count=8) in body and 'aria-invalid="true"' in body
    assert "Rules about arrival" in body  # the document still reads


def test_only_pdfs_offer_a_page_jump(member_client, workspace):
    document = ingest(workspace, "guide.md", GUIDE_MD)
    body = member_client.get(document.get_absolute_url()).content.decode()
    assert 'name="find"' in body and 'name="goto"' not in body
    response = member_client.get(document.get_absolute_url(), {"goto": "2"})
    assert response.status_code == 400 and NOT_PAGINATED in response.content.decode()


def test_find_lists_the_passages_holding_the_words_and_marks_them(member_client, workspace, short_parts):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    response = member_client.get(document.get_absolute_url(), {"find": "lighthouse weather"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 passage with “lighthouse weather”" in body
    (href,) = re.findall(r'<ol class="found-list"[^>]*>\s*<li><a href="([^"]+)">p\. 6 · Weather rules</a>', body)
    assert "find=lighthouse+weather" in href
    assert re.search(r'<span class="excerpt">[^<]*<mark>weather</mark>', body)
    landed = member_client.get(document.get_absolute_url() + href.split("#")[0].replace("&amp;", "&"))
    page = landed.content.decode()
    assert "The <mark>lighthouse</mark> keeper logs the <mark>weather</mark>" in page
    assert 'value="lighthouse weather"' in page


def test_find_counts_every_match_and_says_when_nothing_matches(member_client, workspace):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    body = member_client.get(document.get_absolute_url(), {"find": "staff"}).content.decode()
    assert "8 passages with “staff”" in body
    assert body.count("<mark>staff</mark>") >= 16  # the excerpts and the page
    body = member_client.get(document.get_absolute_url(), {"find": "submarine"}).content.decode()
    assert "No passage with “submarine”" in body


def test_finding_only_common_words_asks_for_a_word(member_client, workspace):
    document = ingest(workspace, "chapters.pdf", chapters_pdf())
    response = member_client.get(document.get_absolute_url(), {"find": "the"})
    assert response.status_code == 400
    assert NOTHING_TO_FIND in response.content.decode()


def test_find_and_outline_cost_a_fixed_number_of_queries(
    member_client, workspace, short_parts, django_assert_max_num_queries
):
    """The outline reads every heading path in one query and find every candidate in one: never one per passage."""
    document = ingest(workspace, "chapters.pdf", chapters_pdf(pages=24))
    with django_assert_max_num_queries(10):
        response = member_client.get(document.get_absolute_url(), {"find": "staff"})
    assert "24 passages with “staff”" in response.content.decode()


def test_find_is_scoped_to_this_document(member_client, workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    ingest(workspace, "chapters.pdf", chapters_pdf())
    body = member_client.get(document.get_absolute_url(), {"find": "lighthouse"}).content.decode()
    assert "No passage with “lighthouse”" in body


def test_many_matches_come_a_page_of_results_at_a_time(member_client, workspace):
    document = ingest(workspace, "chapters.pdf", chapters_pdf(pages=24))
    first = member_client.get(document.get_absolute_url(), {"find": "staff"}).content.decode()
    assert "24 passages with “staff”" in first and "Results 1 of 2" in first
    assert first.count('<li><a href="?page=') == FOUND_PER_PAGE
    assert "found=2" in first and 'rel="prev"' not in first
    last = member_client.get(document.get_absolute_url(), {"find": "staff", "found": "2"}).content.decode()
    assert '<ol class="found-list" start="21">' in last and last.count('<li><a href="?page=') == 4
    listed = last.split("found-list")[1].split("</ol>")[0]
    assert "Pensions rules" not in listed and "Closing rules" in listed  # pages 17 (the first 20) and 24
    beyond = member_client.get(document.get_absolute_url(), {"find": "staff", "found": "99"})
    assert beyond.status_code == 200 and '<ol class="found-list" start="21">' in beyond.content.decode()
