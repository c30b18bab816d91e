"""Every member and owner page, light and dark, desktop and phone: axe-core finds nothing serious
(WCAG 2 A/AA rules: contrast, names, labels, landmarks) and nothing leaves a 390-pixel screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_findings(page):
    results = AXE.run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {node['target']} {node.get('failureSummary', '')[:160]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def overflowing(page):
    """Elements whose right edge leaves the screen (scrollable tables excepted)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
            if (el.closest('.table-scroll, pre')) return false;
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > document.documentElement.clientWidth + 1;
        }).map(el => el.tagName + '.' + el.className)"""
    )


@pytest.fixture
def member_pages(db):
    workspace = WorkspaceFactory(name="Handbook", slug="handbook")
    owner = UserFactory(username="olga")
    WorkspaceUserFactory(user=owner, workspace=workspace, role="owner")
    document = WorkspaceDocumentFactory(
        workspace=workspace, filename="a-very-long-quarterly-report-name-2026-final.txt"
    )
    DocumentPassageFactory(document=document, text="Annual leave is twenty-five days a year.")
    WorkspaceChatFactory(workspace=workspace, user=owner, prompt="How many days of leave?")
    return [
        "/",
        "/w/handbook/",
        f"/w/handbook/documents/{document.doc_id}/",
        "/w/handbook/search/?q=leave",
        "/w/handbook/chat/",
        "/w/handbook/members/",
        "/w/handbook/settings/",
        "/account/",
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_every_member_page_passes_axe_and_fits_the_screen(new_page, member_pages, scheme, width):
    page = new_page(width=width, height=900)
    page.emulate_media(color_scheme=scheme)
    sign_in(page, "olga", DEFAULT_PASSWORD)
    problems = {}
    for path in member_pages:
        page.goto(path)
        found = serious_findings(page)
        if width < 500 and overflowing(page):
            found.append(f"leaves the screen: {overflowing(page)}")
        if found:
            problems[path] = found
        screenshot(page, f"a11y-{scheme}-{width}-{path.strip('/').replace('/', '_') or 'home'}")
    assert problems == {}
