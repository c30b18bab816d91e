"""The site in German, in dark mode, on a phone (issue 29, must-have 6): a German browser signs in,
asks, searches and runs its workspace; a person's own choice on the account page wins over the
browser. Screenshots: german-dark-390-*.png (UPDATE_SCREENSHOTS=1 keeps them in docs/screenshots)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import overflowing, serious_findings
from tests.e2e.test_conversation_journeys import LEAVE  # the same handbook passage
from tests.factories import (
    DEFAULT_PASSWORD,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def handbook(db):
    workspace = WorkspaceFactory(name="Handbuch", slug="handbuch")
    WorkspaceUserFactory(user=UserFactory(username="olga"), workspace=workspace, role="owner")
    document = WorkspaceDocumentFactory(workspace=workspace, filename="urlaubsregelung-2026-endfassung.txt")
    DocumentPassageFactory(document=document, position=1, text=LEAVE)
    return workspace, document


def phone(browser, live_server, *, locale, scheme="dark"):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale=locale, color_scheme=scheme,
    )
    context.set_default_timeout(15_000)
    return context


def test_a_german_browser_uses_the_whole_site_in_german_dark_on_a_phone(browser, live_server, handbook):
    workspace, document = handbook
    context = phone(browser, live_server, locale="de-DE")
    page = context.new_page()
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Bei Docent anmelden")
    screenshot(page, "german-dark-390-login")
    page.fill("#id_username", "olga")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator("h1")).to_have_text("Ihre Arbeitsbereiche")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    # The chat: the page script's words come from the German catalog, the answer stays as written.
    page.goto(f"/w/{workspace.slug}/chat/")
    expect(page.get_by_role("heading", name="Stellen Sie Ihre erste Frage")).to_be_visible()
    page.get_by_role("button", name="Fragen", exact=True).click()
    expect(page.locator("#ask-error")).to_have_text("Geben Sie zuerst eine Frage ein.")
    page.fill("#id_prompt", "How many days of annual leave?")
    page.keyboard.press("Enter")
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0)
    answer = page.locator(".bubble.answer").last
    expect(answer).to_contain_text("25 days")
    expect(answer.locator("ol.sources")).to_have_attribute("aria-label", "Quellen")
    expect(page.locator(".bubble.question .visually-hidden").last).to_have_text("Ihre Frage:")
    screenshot(page, "german-dark-390-chat")

    expected = {  # page: (what it says in German, its screenshot's name)
        "/": ("Ihre Arbeitsbereiche", "home"),
        f"/w/{workspace.slug}/": ("1 Dokument", "documents"),
        document.get_absolute_url(): ("Im Dokument finden", "reading"),
        f"/w/{workspace.slug}/search/?q=leave": ("die besten zuerst", "search"),
        f"/w/{workspace.slug}/members/": ("Mitglied hinzufügen", "members"),
        f"/w/{workspace.slug}/invites/": ("Neuer Einladungslink", "invites"),
        f"/w/{workspace.slug}/settings/": ("Einstellungen speichern", "settings"),
        f"/w/{workspace.slug}/insights/": ("Fragen pro Tag", "insights"),
        f"/w/{workspace.slug}/activity/": ("Wer in diesem Arbeitsbereich was geändert hat", "activity"),
        "/account/": ("Sprache der Website", "account"),
    }
    problems = {}
    for path, (german, name) in expected.items():
        page.goto(path)
        expect(page.locator("main")).to_contain_text(german)
        found = serious_findings(page)
        if overflowing(page):
            found.append(f"leaves the screen: {overflowing(page)}")
        if found:
            problems[path] = found
        screenshot(page, f"german-dark-390-{name}")
    assert problems == {}
    context.close()


def test_the_language_chosen_on_the_account_page_wins_over_an_english_browser(browser, live_server, handbook):
    context = phone(browser, live_server, locale="en-GB", scheme="light")
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your workspaces")

    page.goto("/account/")
    page.select_option("#id_language", "de")
    page.get_by_role("button", name="Save language").click()
    expect(page.locator("h1")).to_have_text("Ihr Konto")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Ihre Arbeitsbereiche")

    page.goto("/account/")
    page.select_option("#id_language", "")
    page.get_by_role("button", name="Sprache speichern").click()
    expect(page.locator("h1")).to_have_text("Your account")
    context.close()
