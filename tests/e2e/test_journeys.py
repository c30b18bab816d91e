"""What a person does in a real browser, start to finish."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invite, Role, User
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory, WorkspaceFactory, WorkspaceUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_run_creates_the_admin_who_creates_a_workspace_and_an_invite(new_page):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.fill("#id_username", "founder")
    page.fill("#id_password1", "a-long-enough-pass-1")
    page.fill("#id_password2", "a-long-enough-pass-1")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Your workspaces")
    assert User.objects.get(username="founder").role == Role.ADMIN

    page.click("text=Admin")
    screenshot(page, "admin")
    page.goto("/admin/workspaces/workspace/add/")
    page.fill("#id_name", "Research")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto("/admin/accounts/invite/add/")
    page.get_by_label("Research").check()
    page.click("input[name=_save]")
    invite = Invite.objects.get()
    assert [w.name for w in invite.workspaces.all()] == ["Research"]
    expect(page.locator("button.copy-link")).to_have_attribute("data-copy", f"/invite/{invite.code}/")


def test_an_admin_suspends_a_member_whose_page_is_open_and_their_next_click_lands_on_sign_in(new_page):
    workspace = WorkspaceFactory(name="Research")
    member = UserFactory(username="mia")
    WorkspaceUserFactory(user=member, workspace=workspace)
    AdminFactory(username="ada")

    member_page = new_page()
    sign_in(member_page, "mia", DEFAULT_PASSWORD)
    expect(member_page.locator(".workspace-card")).to_contain_text("Research")

    admin_page = new_page()
    sign_in(admin_page, "ada", DEFAULT_PASSWORD)
    admin_page.goto("/admin/accounts/user/?q=mia")
    admin_page.check(f"input[name=_selected_action][value='{member.pk}']")
    admin_page.select_option("select[name=action]", "suspend_users")
    admin_page.click("button[name=index]")
    expect(admin_page.locator(".messagelist")).to_contain_text("Suspended 1 user")

    member_page.click(f"a[href='/w/{workspace.slug}/']")
    expect(member_page).to_have_url(re.compile(r"/login/"))
    sign_in(member_page, "mia", DEFAULT_PASSWORD)
    expect(member_page.locator(".form-errors")).to_contain_text("suspended")


def test_a_member_of_another_workspace_cannot_reach_the_first_ones_pages(new_page):
    research = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="mia"), workspace=research)
    WorkspaceUserFactory(user=UserFactory(username="otto"), workspace=WorkspaceFactory(name="Legal"))

    page = new_page()
    sign_in(page, "otto", DEFAULT_PASSWORD)
    expect(page.locator(".cards")).to_contain_text("Legal")
    expect(page.locator(".cards")).not_to_contain_text("Research")
    for path in (f"/w/{research.slug}/", f"/w/{research.slug}/search/?q=x", f"/w/{research.slug}/chat/"):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("Page not found")


def test_an_invitee_claims_uploads_searches_and_asks_and_sees_the_cited_answer(new_page, tmp_path):
    from tests.factories import InviteFactory

    workspace = WorkspaceFactory(name="Research")
    invite = InviteFactory(created_by=AdminFactory(username="ada"), workspaces=[workspace], role="editor")
    notes = tmp_path / "field-notes.md"
    notes.write_text(
        "# Field notes\n\nThe survey started in March. The northern colony counted 412 nesting puffins this year.\n\n"
        "Weather was calm for most of the season.\n"
    )

    page = new_page()
    page.goto(f"/invite/{invite.code}/")
    expect(page.locator("main")).to_contain_text("Research")
    page.fill("#id_username", "newbie")
    page.fill("#id_password1", "a-long-enough-pass-3")
    page.fill("#id_password2", "a-long-enough-pass-3")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Research")  # the invitee lands in the granted workspace
    page.goto("/")
    expect(page.locator(".workspace-card")).to_contain_text("Research")
    screenshot(page, "home")

    page.click("text=Research")
    page.click("text=Upload documents")
    page.set_input_files("input[type=file]", str(notes))
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Added “field-notes.md”")
    expect(page.locator(".passage").first).to_contain_text("412 nesting puffins")
    screenshot(page, "document")

    page.click("nav.breadcrumbs >> text=Research")
    expect(page.locator("table.list")).to_contain_text("field-notes.md")
    screenshot(page, "workspace")

    page.click("nav.tabs >> text=Search")
    page.fill("input[name=q]", "puffins")
    page.click("button:has-text('Search')")
    expect(page.locator(".search-result").first.locator("mark").first).to_have_text(re.compile("puffins", re.I))
    screenshot(page, "search")

    page.click("nav.tabs >> text=Chat")
    page.fill("#id_prompt", "How many puffins were nesting in the northern colony?")
    page.click("button:has-text('Ask')")
    answer = page.locator(".bubble.answer").last
    expect(answer).to_contain_text("The northern colony counted 412 nesting puffins this year.")
    expect(answer.locator(".sources a:not(.cite)")).to_have_text("field-notes.md")
    screenshot(page, "chat")
    answer.locator(".sources a:not(.cite)").click()
    expect(page.locator(".passage:target")).to_contain_text("412 nesting puffins")
