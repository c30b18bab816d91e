"""Searching in a real browser: a typo corrected, filters chosen without JavaScript's help,
and the search across every workspace from the home page, on a desk and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PDF = "application/pdf"


def document(workspace, filename, text, content_type="text/plain"):
    doc = WorkspaceDocumentFactory(
        workspace=workspace, filename=filename, metadata={"title": filename, "size": 10, "content_type": content_type}
    )
    DocumentPassageFactory(document=doc, position=1, text=text)
    return doc


@pytest.fixture
def searcher(new_page):
    member = UserFactory(username="sam")
    it = WorkspaceFactory(name="IT desk")
    finance = WorkspaceFactory(name="Finance")
    for workspace in (it, finance):
        WorkspaceUserFactory(user=member, workspace=workspace)
    document(it, "accounts.md", "Reset your password on the account page under Security.")
    document(it, "vpn.pdf", "The VPN password expires every ninety days.", PDF)
    document(finance, "expenses.pdf", "Expense claims need the password of the finance portal.", PDF)
    document(WorkspaceFactory(name="Board"), "board.md", "The board password is kept in the safe.")

    def open_page(**size):
        page = new_page(**size)
        sign_in(page, "sam", DEFAULT_PASSWORD)
        return page

    return it, open_page


def test_a_typo_searched_from_the_home_page_finds_every_workspaces_passages_and_filters_narrow_them(searcher):
    it, open_page = searcher
    page = open_page()
    page.goto("/")
    page.get_by_label("Search all your workspaces").fill("pasword")
    page.keyboard.press("Enter")
    expect(page.locator(".search-correction")).to_contain_text("Showing results for password")
    results = page.locator(".search-result")
    expect(results).to_have_count(3)
    assert sorted(page.locator(".search-result-workspace").all_inner_texts()) == ["Finance", "IT desk", "IT desk"]
    expect(page.locator("body")).not_to_contain_text("board.md")
    screenshot(page, "search-everywhere")

    page.locator(".search-filters summary").click()
    page.get_by_label("Kind", exact=True).select_option("pdf")
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_have_count(2)
    expect(page.locator("#search-query")).to_have_value("pasword")  # kept as typed, the correction shown above
    expect(page.locator(".search-filters summary")).to_contain_text("Filters (on)")

    page.goto("/search/?q=password&since=soon")
    expect(page.locator(".field-error")).to_contain_text("Enter a date as YYYY-MM-DD.")
    expect(results).to_have_count(0)

    page.goto(f"/w/{it.slug}/search/?q=password")
    page.locator(".search-filters summary").click()
    page.get_by_label("Document", exact=True).select_option(label="vpn.pdf")
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("VPN")


def test_on_a_phone_the_search_and_its_filters_fit_the_screen(searcher):
    it, open_page = searcher
    page = open_page(width=390, height=800)
    page.goto(f"/w/{it.slug}/search/?q=pasword")
    page.locator(".search-filters summary").click()
    expect(page.locator(".search-correction")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "search-phone")
