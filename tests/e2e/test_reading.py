"""Reading in a real browser: each kind of document on its page, on a desk and on a phone.

The screenshots of each kind of document in docs/user-guide.md come from here
(`UPDATE_SCREENSHOTS=1 make test-e2e`).
"""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory, WorkspaceFactory, WorkspaceUserFactory
from tests.workspaces.documents.sample_files import (
    GUIDE_MD,
    REVENUE_CSV,
    SITES_HTML,
    handbook_pdf_bytes,
    policy_docx_bytes,
)
from tests.workspaces.documents.test_navigation import chapters_pdf
from workspaces.documents import reading
from workspaces.documents.services import document_ingest

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLES = [
    ("handbook.pdf", handbook_pdf_bytes, "Annual leave"),
    ("policy.docx", policy_docx_bytes, "Daily allowance"),
    ("sites.html", lambda: SITES_HTML.encode(), "Construction"),
    ("guide.md", lambda: GUIDE_MD.encode(), "print"),
    ("revenue.csv", lambda: REVENUE_CSV.encode(), "South"),
]


@pytest.fixture
def member_page(new_page):
    workspace = WorkspaceFactory(name="Handbooks")
    member = UserFactory(username="rea")
    WorkspaceUserFactory(user=member, workspace=workspace)
    documents = {
        name: document_ingest(workspace=workspace, uploaded_file=ContentFile(make(), name=name), filename=name)
        for name, make, _text in SAMPLES
    }

    def open_page(**size):
        page = new_page(**size)
        sign_in(page, "rea", DEFAULT_PASSWORD)
        return page

    return workspace, documents, open_page


def test_each_kind_of_document_reads_on_its_page_with_its_structure(member_page):
    _workspace, documents, open_page = member_page
    page = open_page()
    for name, _make, text in SAMPLES:
        page.goto(documents[name].get_absolute_url())
        expect(page.locator(".document-body")).to_contain_text(text)
        screenshot(page, f"reading-{name.rsplit('.', 1)[1]}")
    expect(page.locator(".document-body table th").first).to_have_text("Month")


def test_on_a_phone_the_text_starts_above_the_fold(member_page):
    _workspace, documents, open_page = member_page
    page = open_page(width=390, height=844)
    page.goto(documents["handbook.pdf"].get_absolute_url())
    top = page.locator(".document-body").bounding_box()["y"]
    assert top < 844 / 2


def test_a_search_result_opens_on_its_passage_lit_up_with_the_words_marked(member_page):
    workspace, _documents, open_page = member_page
    page = open_page()
    page.goto(f"/w/{workspace.slug}/search/?q=annual+leave")
    result = page.locator(".search-result").first
    expect(result).to_contain_text("p. 2 · Annual leave")
    result.locator("a.search-result-title").click()
    cited = page.locator(".passage:target")
    expect(cited).to_contain_text("twenty-eight days")
    expect(cited.locator("mark").first).to_have_text("Annual")
    screenshot(page, "reading-cited")


def test_a_long_pdf_moves_by_its_outline_a_page_jump_and_find(member_page, monkeypatch):
    monkeypatch.setattr(reading, "READING_PAGE_WORDS", 60)  # the live server runs in this process
    workspace, _documents, open_page = member_page
    document = document_ingest(
        workspace=workspace, uploaded_file=ContentFile(chapters_pdf(pages=24), name="rules.pdf"), filename="rules.pdf"
    )
    page = open_page()
    page.goto(document.get_absolute_url())
    outline = page.locator("details.outline")
    outline.locator("summary").click()
    expect(outline.locator("li")).to_have_count(24)
    screenshot(page, "reading-outline")
    outline.get_by_role("link", name="Weather rules").click()
    expect(page.locator(".passage:target")).to_contain_text("The lighthouse keeper logs the weather")
    page.fill("#id_goto", "20")
    page.keyboard.press("Enter")
    expect(page.locator(".page-marker:target")).to_have_text("Page 20")
    assert page.url.endswith("#page-20")
    expect(page.locator(".document-body")).to_contain_text("Rules about phones")
    page.fill("#id_goto", "99")
    page.keyboard.press("Enter")
    expect(page.locator("#id_goto:invalid")).to_have_count(1)  # the browser holds it back; the server says why too
    assert page.url.endswith("#page-20")
    page.fill("#id_find", "lighthouse")
    page.keyboard.press("Enter")
    results = page.locator(".find-results")
    expect(results).to_contain_text("1 passage with “lighthouse”")
    results.get_by_role("link", name="p. 6 · Weather rules").click()
    expect(page.locator(".passage:target mark").first).to_have_text("lighthouse")
    screenshot(page, "reading-find")


def test_on_a_phone_the_reading_tools_fit_and_leave_the_text_in_view(member_page):
    _workspace, documents, open_page = member_page
    page = open_page(width=390, height=844)
    page.goto(documents["handbook.pdf"].get_absolute_url())
    expect(page.locator("#id_goto")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("details.outline summary").click()
    expect(page.locator("details.outline").get_by_role("link", name="Annual leave")).to_be_visible()


def test_a_citation_panel_names_the_passage_as_the_sources_list_and_shows_tables(member_page):
    workspace, _documents, open_page = member_page
    page = open_page()
    page.goto(f"/w/{workspace.slug}/chat/")
    page.fill("#id_prompt", "How many days of annual leave do full-time staff receive?")
    page.keyboard.press("Enter")
    answer = page.locator(".bubble.answer").last
    expect(answer.locator(".sources li").first).to_contain_text("handbook.pdf, p. 2 · Annual leave")
    answer.locator("p a.cite").first.click()
    panel = page.locator("#source-panel")
    expect(panel.locator(".source-popover-title")).to_have_text("[1] handbook.pdf, p. 2 · Annual leave")
    page.keyboard.press("Escape")
    page.fill("#id_prompt", "What is the daily allowance in Paris?")
    page.keyboard.press("Enter")
    answer = page.locator(".bubble.answer").nth(1)
    expect(answer.locator(".sources li").first).to_contain_text("policy.docx")
    answer.locator("p a.cite").first.click()
    expect(panel.locator("table th").first).to_have_text("City")
    expect(panel.locator("td", has_text="95 EUR")).to_be_visible()
    screenshot(page, "chat-citation-table")
