"""An owner keeps a folder on the server in sync with a workspace from the Sources tab."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import DEFAULT_PASSWORD, UserFactory, WorkspaceFactory, WorkspaceUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_adds_a_folder_source_syncs_it_and_reads_where_a_document_came_from(new_page, tmp_path, settings):
    settings.SOURCE_FOLDER_ROOTS = [str(tmp_path / "shares")]
    folder = tmp_path / "shares" / "handbook"
    folder.mkdir(parents=True)
    (folder / "leave.md").write_text("# Annual leave\n\nEvery colleague gets 30 days of annual leave a year.\n")
    workspace = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="olga"), workspace=workspace, role="owner")

    owner = new_page()
    sign_in(owner, "olga", DEFAULT_PASSWORD)
    owner.goto(f"/w/{workspace.slug}/")
    owner.click("nav.tabs >> text=Sources")
    expect(owner.locator(".empty")).to_contain_text("No sources yet")
    owner.click("main >> text=Add the first source")
    owner.fill("#id_name", "Handbook")
    owner.check("text=Folder on the server")
    owner.fill("#id_location", str(tmp_path / "elsewhere"))
    owner.click("button:has-text('Add source')")
    expect(owner.locator(".field-error")).to_contain_text("is not inside a folder this server allows")
    owner.fill("#id_location", str(folder))
    owner.click("button:has-text('Add source')")
    expect(owner.locator(".messages")).to_contain_text("Added “Handbook”")
    expect(owner.locator(".count-added")).to_have_text("1")

    (folder / "travel.txt").write_text("Book trains through the office, never planes for short trips.\n")
    (folder / "leave.md").write_text("# Annual leave\n\nEvery colleague gets 32 days of annual leave a year.\n")
    owner.click("button:has-text('Sync now')")
    expect(owner.locator(".messages")).to_contain_text("A sync of “Handbook” is queued")
    expect(owner.locator(".count-added")).to_have_text("1")
    expect(owner.locator(".count-changed")).to_have_text("1")
    screenshot(owner, "sources")

    owner.click("nav.tabs >> text=Documents")
    row = owner.locator("tr", has_text="travel.txt")
    expect(row).to_contain_text(f"From {folder}/travel.txt")
    owner.click("a:has-text('leave.md')")
    expect(owner.locator(".document-details")).to_contain_text(f"{folder}/leave.md")
    expect(owner.locator(".passage").first).to_contain_text("32 days")

    phone = new_page(width=390, height=844)
    sign_in(phone, "olga", DEFAULT_PASSWORD)
    phone.goto(f"/w/{workspace.slug}/sources/")
    expect(phone.locator("table.sources")).to_contain_text("Handbook")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
