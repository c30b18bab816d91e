"""The owner runs a workspace on the site: members and their roles, without the Django admin."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in, uploads_finished
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    InviteFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_adds_a_viewer_promotes_them_to_editor_who_uploads_and_deletes_their_file(new_page, tmp_path):
    workspace = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="olga"), workspace=workspace, role="owner")
    UserFactory(username="vic")
    notes = tmp_path / "vic-notes.txt"
    notes.write_text("Vic counted 37 herons by the lake on Tuesday morning.\n")

    owner = new_page()
    sign_in(owner, "olga", DEFAULT_PASSWORD)
    owner.goto(f"/w/{workspace.slug}/")
    owner.click("nav.tabs >> text=Members")
    owner.fill("#id_username", "vic")
    owner.select_option("#id_role", "viewer")
    owner.click("button:has-text('Add')")
    expect(owner.locator(".messages")).to_contain_text("Added vic as viewer.")
    expect(owner.locator("#member-vic")).to_contain_text("vic")
    screenshot(owner, "members")

    viewer = new_page()
    sign_in(viewer, "vic", DEFAULT_PASSWORD)
    viewer.goto(f"/w/{workspace.slug}/")
    expect(viewer.locator("main")).not_to_contain_text("Upload documents")
    expect(viewer.locator("nav.tabs")).not_to_contain_text("Members")
    assert viewer.goto(f"/w/{workspace.slug}/documents/upload/").status == 403

    owner.select_option("#member-vic select[name=role]", "editor")
    owner.click("#member-vic button:has-text('Change role')")
    expect(owner.locator(".messages")).to_contain_text("vic is now editor.")

    viewer.goto(f"/w/{workspace.slug}/")
    viewer.click("text=Upload documents")
    viewer.set_input_files("input[type=file]", str(notes))
    viewer.click("main button[type=submit]")
    uploaded = viewer.locator(".upload-queue .upload-item").first
    uploads_finished(viewer, 1)
    expect(uploaded).to_contain_text("Ready")
    uploaded.locator("a").click()
    expect(viewer.locator(".passage").first).to_contain_text("37 herons")
    viewer.click("a:has-text('Delete')")
    viewer.click("main button[type=submit]")
    expect(viewer.locator(".messages")).to_contain_text("Deleted “vic-notes.txt”")
    expect(viewer).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))


def test_the_owner_renames_the_workspace_and_a_taken_name_is_refused(new_page):
    workspace = WorkspaceFactory(name="Research")
    WorkspaceFactory(name="Legal")
    WorkspaceUserFactory(user=UserFactory(username="olga"), workspace=workspace, role="owner")
    page = new_page(width=390, height=844)  # a phone
    sign_in(page, "olga", DEFAULT_PASSWORD)
    page.goto(f"/w/{workspace.slug}/settings/")
    page.fill("#id_name", "legal")
    page.click("button:has-text('Save settings')")
    expect(page.locator(".field-error")).to_contain_text("A workspace with this name already exists")
    screenshot(page, "settings-phone")
    page.fill("#id_name", "Research papers")
    page.check("#id_private_chats")
    page.click("button:has-text('Save settings')")
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    page.click("nav.tabs >> text=Chat")
    expect(page.locator(".privacy-note")).to_contain_text("not what")


def test_the_invite_list_fits_a_1366_pixel_screen(new_page):
    admin = AdminFactory(username="ada")
    workspaces = [WorkspaceFactory(name=f"Team workspace {n}") for n in range(3)]
    for _ in range(5):
        InviteFactory(created_by=admin, workspaces=workspaces, max_uses=3)
    page = new_page(width=1366, height=768)
    sign_in(page, "ada", DEFAULT_PASSWORD)
    page.goto("/admin/accounts/invite/")
    expect(page.locator("#result_list")).to_contain_text("0 of 3")
    overflow = page.evaluate(
        "[...document.querySelectorAll('#changelist .results, html')].map(e => e.scrollWidth - e.clientWidth)"
    )
    assert max(overflow) <= 0, overflow  # no column hidden behind a scroll bar
    screenshot(page, "invites")
