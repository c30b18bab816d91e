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
