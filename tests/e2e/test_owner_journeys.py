"""An owner's day on the site: invites a newcomer who joins, watches an upload appear in the
documents list without reloading, and reads the Insights tab (charts and unanswered questions)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from workspaces.models import WorkspaceChat, WorkspaceUser

pytestmark = pytest.mark.django_db(transaction=True)
LIVE_LIST_DEADLINE_MS = 30_000


@pytest.fixture
def research():
    workspace = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="olga"), workspace=workspace, role="owner")
    return workspace


def test_an_owner_invites_a_newcomer_who_joins_as_editor(new_page, research):
    owner = new_page()
    sign_in(owner, "olga", DEFAULT_PASSWORD)
    owner.goto(f"/w/{research.slug}/")
    owner.click("nav.tabs >> text=Members")
    owner.click("text=Invite links")
    owner.select_option("#id_role", "editor")
    owner.fill("#id_max_uses", "1")
    owner.select_option("#id_expires_in_days", "7")
    owner.click("button:has-text('Create link')")
    expect(owner.locator(".messages")).to_contain_text("Invite link created")
    link = owner.locator("tr.invite-new .invite-url").input_value()
    screenshot(owner, "owner-invite-links")

    newcomer = new_page()
    newcomer.goto(link)
    expect(newcomer.locator("main")).to_contain_text("Research")
    newcomer.fill("#id_username", "newbie")
    newcomer.fill("#id_password1", "a-long-enough-pass-3")
    newcomer.fill("#id_password2", "a-long-enough-pass-3")
    newcomer.click("button[type=submit]")
    expect(newcomer.locator("h1")).to_have_text("Research")
    expect(newcomer.locator("a:has-text('Upload documents')")).to_be_visible()  # an editor may upload

    owner.reload()
    expect(owner.locator("tr.invite-new")).to_contain_text("Used up")
    owner.click("nav.tabs >> text=Members")
    expect(owner.locator("#member-newbie")).to_be_visible()
    assert WorkspaceUser.objects.get(user__username="newbie").role == "editor"
    owner.click("nav.tabs >> text=Activity")
    expect(owner.locator("table.activity")).to_contain_text("Invite claimed")
    screenshot(owner, "owner-activity")


def test_an_upload_appears_in_an_open_documents_list_without_a_reload(new_page, research, tmp_path):
    WorkspaceUserFactory(user=UserFactory(username="eddie"), workspace=research, role="editor")
    notes = tmp_path / "herons.txt"
    notes.write_text("Vic counted 37 herons by the lake on Tuesday morning.\n")

    owner = new_page()
    sign_in(owner, "olga", DEFAULT_PASSWORD)
    owner.goto(f"/w/{research.slug}/")
    expect(owner.locator(".document-list")).to_contain_text("No documents yet")
    owner.evaluate("window.notReloaded = true")

    editor = new_page()
    sign_in(editor, "eddie", DEFAULT_PASSWORD)
    editor.goto(f"/w/{research.slug}/documents/upload/")
    editor.set_input_files("input[type=file]", str(notes))
    editor.click("main button[type=submit]")

    expect(owner.locator(".document-list table.documents")).to_contain_text("herons.txt",
                                                                           timeout=LIVE_LIST_DEADLINE_MS)
    expect(owner.locator("[data-live-count]")).to_contain_text("1 document")
    expect(owner.locator(".document-list")).not_to_contain_text("No documents yet")
    assert owner.evaluate("window.notReloaded") is True
    screenshot(owner, "documents-live")


def test_the_insights_tab_shows_charts_and_the_questions_no_document_answered(new_page, research):
    asker = UserFactory(username="mia")
    WorkspaceUserFactory(user=asker, workspace=research)
    chats = [
        ("How do I claim travel expenses?", True, 3), ("how to claim my travel expenses", True, 2),
        ("Travel expenses claim form?", True, 1), ("Where is the parking garage?", True, 0),
        ("How many days of annual leave do I get?", False, 0), ("When is payday?", False, 1),
    ]
    for prompt, refused, days_ago in chats:
        chat = WorkspaceChatFactory(workspace=research, user=asker, prompt=prompt, refused=refused, relevance=None
                                    if refused else 0.9, prompt_tokens=120, completion_tokens=40, answer_ms=900)
        WorkspaceChat.objects.filter(pk=chat.pk).update(created_at=timezone.now() - timedelta(days=days_ago))

    owner = new_page()
    sign_in(owner, "olga", DEFAULT_PASSWORD)
    owner.goto(f"/w/{research.slug}/")
    owner.click("nav.tabs >> text=Insights")
    for chart in ("questions", "refusals", "tokens", "answer_ms", "thumbs_down", "user"):
        expect(owner.locator(f"svg.chart#chart-{chart}")).to_have_count(1)
    expect(owner.locator("#insight-totals")).to_contain_text("6 questions")
    first_group = owner.locator("#unanswered tbody tr").first
    expect(first_group).to_contain_text("Travel expenses claim form?")
    expect(first_group.locator("td.numeric").first).to_have_text("3")
    screenshot(owner, "insights")

    owner.fill("#id_start", "2026-05-10")
    owner.fill("#id_end", "2026-05-01")
    owner.click("button:has-text('Show')")
    expect(owner.locator(".field-error")).to_contain_text("“From” must be on or before “To”.")

    phone = new_page(width=390, height=844)
    sign_in(phone, "olga", DEFAULT_PASSWORD)
    phone.goto(f"/w/{research.slug}/insights/")
    expect(phone.locator("svg.chart").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "insights-phone")


def test_a_member_reads_their_own_usage_from_the_account_page(new_page, research):
    mia = UserFactory(username="mia")
    WorkspaceUserFactory(user=mia, workspace=research)
    WorkspaceChatFactory(workspace=research, user=mia, prompt="Payday?", prompt_tokens=10, completion_tokens=5)
    page = new_page()
    sign_in(page, "mia", DEFAULT_PASSWORD)
    page.goto("/account/")
    expect(page.locator("#own-usage")).to_contain_text("15 tokens")
    page.click("text=Details, periods and CSV")
    expect(page.locator("#numbers-workspace")).to_contain_text("Research")
    expect(page.locator("#insight-totals")).to_contain_text("15 tokens")
    screenshot(page, "my-usage")


def test_an_admin_reads_insights_per_workspace_and_person_in_the_admin(new_page, research):
    from tests.factories import AdminFactory

    AdminFactory(username="ada")
    mia = UserFactory(username="mia")
    for workspace in (research, WorkspaceFactory(name="Legal")):
        WorkspaceChatFactory(workspace=workspace, user=mia, prompt="Payday?", prompt_tokens=10, completion_tokens=5,
                             answer_ms=700)
    page = new_page()
    sign_in(page, "ada", DEFAULT_PASSWORD)
    page.goto("/admin/")
    page.click("text=Insights")
    expect(page.locator("svg.chart")).to_have_count(7)  # five by day, per workspace, per person
    expect(page.locator("#numbers-workspace")).to_contain_text("Legal")
    with page.expect_download() as download:
        page.click("#numbers-user >> text=Download CSV")
    assert download.value.suggested_filename.startswith("docent-insights-user-")
    screenshot(page, "admin-insights")
