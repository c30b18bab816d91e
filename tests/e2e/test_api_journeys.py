"""The API's documentation page renders offline under the site's CSP, and a key made on the
account page works against /api/v1/."""

import re
from urllib.parse import urlsplit

import httpx
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


def test_the_api_docs_page_renders_with_no_csp_error_and_no_request_off_the_machine(new_page, live_server):
    page = new_page()
    console, hosts = [], set()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Docent API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert "/api/v1/workspaces/{slug}/search" in page.content()
    screenshot(page, "api-docs")
    assert hosts == {urlsplit(live_server.url).netloc}, hosts
    assert not [line for line in console if "Content Security Policy" in line or line.startswith("error")], console


def test_a_member_makes_a_key_on_the_account_page_and_searches_with_it(new_page, live_server):
    workspace = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="mia"), workspace=workspace, role="viewer")
    document = WorkspaceDocumentFactory(workspace=workspace, filename="herons.txt")
    DocumentPassageFactory(document=document, text="Vic counted 37 herons by the lake on Tuesday morning.")
    page = new_page()
    sign_in(page, "mia", DEFAULT_PASSWORD)
    page.goto("/account/")
    page.click("text=New API key")
    page.fill("#id_name", "search script")
    page.check("input[name=scopes][value=read]")
    page.click("button:has-text('Create key')")
    secret = page.locator("[data-testid=api-secret]").inner_text()
    assert re.fullmatch(r"dct_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", secret)
    screenshot(page, "api-key-created")
    response = httpx.get(f"{live_server.url}/api/v1/workspaces/{workspace.slug}/search", params={"q": "herons"},
                         headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["hits"][0]["filename"] == "herons.txt"
    page.goto("/account/")
    expect(page.locator(".api-keys")).to_contain_text("search script")
    assert secret not in page.content()
