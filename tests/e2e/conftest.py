"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The screenshots of README.md and docs/ are refreshed only on request: UPDATE_SCREENSHOTS=1 make test-e2e
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "docent-e2e-screenshots"
)
# How long uploads may take to end on a slow or busy machine; the wait ends as soon as they have.
UPLOADS_DEADLINE_MS = 120_000
UPLOADS = ".upload-queue .upload-item"
UNFINISHED_UPLOADS = f"{UPLOADS}:not(.upload-done):not(.upload-failed)"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs its own event loop; Django must allow ORM calls from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    """The live server speaks plain http: cookies must not require https."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh browser context (its own cookies), as many as a test needs."""
    contexts = []

    def make(width=1280, height=860):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def uploads_finished(page, count):
    """Wait until the page's queue holds `count` uploads and every one has ended, processed or
    failed (the page marks each when the server says so), however long the machine takes."""
    expect(page.locator(UPLOADS)).to_have_count(count)
    expect(page.locator(UNFINISHED_UPLOADS)).to_have_count(0, timeout=UPLOADS_DEADLINE_MS)


def sign_in(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
