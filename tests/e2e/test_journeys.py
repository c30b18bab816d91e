"""What a person does in a real browser, start to finish."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invite, User
from accounts.roles import Role
from tests.e2e.conftest import screenshot, sign_in, uploads_finished
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
    queued = page.locator(".upload-queue .upload-item").first
    uploads_finished(page, 1)
    expect(queued).to_contain_text("Ready")
    queued.locator("a").click()
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


def test_files_dropped_on_the_documents_list_upload_in_parallel_and_show_their_state(new_page, tmp_path):
    from settings_app.services import setting_set

    setting_set(label="max_upload_mb", value=1)
    workspace = WorkspaceFactory(name="Drops")
    AdminFactory(username="dora")
    page = new_page()
    sign_in(page, "dora", DEFAULT_PASSWORD)
    page.goto(f"/w/{workspace.slug}/")
    files = [{"name": f"note-{n}.txt", "text": f"Note number {n} about tides and harbours."} for n in range(10)]
    files.append({"name": "fake.pdf", "text": "not a pdf at all"})
    files.append({"name": "huge.txt", "text": "x" * (1024 * 1024 + 10)})
    transfer = page.evaluate_handle(
        """(files) => {
          const transfer = new DataTransfer();
          files.forEach((file) => transfer.items.add(new File([file.text], file.name)));
          return transfer;
        }""",
        files,
    )
    requests = []
    page.on("request", lambda request: requests.append(request) if request.method == "POST" else None)
    page.dispatch_event("form[data-dropzone]", "drop", {"dataTransfer": transfer})
    items = page.locator(".upload-queue .upload-item")
    uploads_finished(page, 12)
    expect(items.filter(has_text="larger than the 1.0 MB")).to_have_count(1)
    expect(items.filter(has_text="Ready")).to_have_count(10)
    expect(items.filter(has_text="Failed: “fake.pdf” is not really a PDF file")).to_have_count(1)
    assert len(requests) == 11  # the oversized file never left the browser
    page.reload()
    expect(page.locator("table.documents tbody tr")).to_have_count(11)
    expect(page.locator("table.documents")).to_contain_text("is not really a PDF file")
    another = page.evaluate_handle(
        "() => { const t = new DataTransfer(); t.items.add(new File(['More about tides.'], 'late.txt')); return t; }"
    )
    page.dispatch_event("table.documents", "drop", {"dataTransfer": another})
    uploads_finished(page, 1)
    expect(page.locator(".upload-queue .upload-item")).to_contain_text("Ready")
    page.click("text=fake.pdf")
    expect(page.locator(".document-failed")).to_contain_text("Processing failed")
    expect(page.locator(".document-failed button")).to_have_text("Retry")
