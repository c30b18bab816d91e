"""Per-user daily quotas (calendar day in TIME_ZONE) and private workspaces in the chat log and exports."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from settings_app.services import setting_set
from tests.factories import WorkspaceChatFactory
from tests.workspaces.chats.asking import ask, chat_url
from workspaces.chats.admin import PRIVATE_TEXT
from workspaces.chats.limits import daily_quota
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def test_a_users_own_limit_overrides_the_system_default_and_the_page_counts_down(member_client, user, workspace,
                                                                                   manual):
    setting_set(label="daily_message_limit", value=50)
    user.daily_message_limit = 2
    user.save()
    assert "2 questions left today" in member_client.get(chat_url(workspace)).content.decode()
    ask(member_client, workspace, "warranty?")
    assert "1 question left today" in member_client.get(chat_url(workspace)).content.decode()
    ask(member_client, workspace, "warranty again?")
    response = ask(member_client, workspace, "and again?")
    assert response.status_code == 429
    assert "your daily limit. You can ask again from 00:00 (UTC)" in response.content.decode()
    assert WorkspaceChat.objects.count() == 2


def test_a_user_limit_of_zero_means_no_limit_even_when_the_system_has_one(member_client, user, workspace, manual):
    setting_set(label="daily_message_limit", value=1)
    user.daily_message_limit = 0
    user.save()
    for question in ("warranty?", "warranty again?"):
        assert ask(member_client, workspace, question).status_code == 302
    assert "left today" not in member_client.get(chat_url(workspace)).content.decode()


def test_without_any_limit_the_page_says_nothing_about_a_quota(member_client, workspace):
    assert "left today" not in member_client.get(chat_url(workspace)).content.decode()


def test_today_is_the_calendar_day_in_the_configured_time_zone(settings, user, workspace):
    """23:30 yesterday in Paris does not count; 00:30 today does; the count restarts at Paris midnight."""
    settings.TIME_ZONE = "Europe/Paris"
    timezone.activate(ZoneInfo("Europe/Paris"))
    try:
        user.daily_message_limit = 5
        paris = ZoneInfo("Europe/Paris")
        now = datetime(2026, 6, 10, 12, 0, tzinfo=paris)
        for at in (datetime(2026, 6, 9, 23, 30, tzinfo=paris), datetime(2026, 6, 10, 0, 30, tzinfo=paris)):
            chat = WorkspaceChatFactory(workspace=workspace, user=user)
            WorkspaceChat.objects.filter(pk=chat.pk).update(created_at=at)
        quota = daily_quota(user=user, now=now)
        assert (quota.used, quota.left) == (1, 4)
        assert quota.resets_at == datetime(2026, 6, 11, 0, 0, tzinfo=paris)
        assert "00:00 (Europe/Paris) on 11 Jun" in quota.message
    finally:
        timezone.deactivate()


@pytest.fixture
def private_chat(workspace, user):
    workspace.private_chats = True
    workspace.save()
    return WorkspaceChatFactory(
        workspace=workspace, user=user, prompt="A secret question about salaries",
        prompt_tokens=12, completion_tokens=5,
        response={"text": "A secret answer.", "sources": [{"doc_id": "x", "filename": "pay.pdf", "position": 2}],
                  "provider": "retrieval"},
    )


@pytest.mark.parametrize("client_name", ["admin_client", "manager_client"])
def test_the_chat_log_shows_who_and_when_but_not_the_text_of_a_private_workspace(request, private_chat, client_name):
    client = request.getfixturevalue(client_name)
    listing = client.get("/admin/workspaces/workspacechat/").content.decode()
    detail = client.get(f"/admin/workspaces/workspacechat/{private_chat.pk}/change/").content.decode()
    for body in (listing, detail):
        assert "mia" in body and "Research" in body and PRIVATE_TEXT in body
        assert "secret" not in body and "pay.pdf" not in body
    assert "12 + 5" in listing and "12 + 5" in detail
    assert "secret" not in client.get("/admin/workspaces/workspacechat/?q=salaries").content.decode()


def test_the_chat_log_renders_answers_and_sources_instead_of_json(admin_client, workspace, user):
    chat = WorkspaceChatFactory(
        workspace=workspace, user=user, prompt="What about **bold**?",
        response={"text": "It is **bold** [1].", "sources": [{"doc_id": "x", "filename": "style.md", "position": 3}],
                  "provider": "retrieval"},
    )
    body = admin_client.get(f"/admin/workspaces/workspacechat/{chat.pk}/change/").content.decode()
    assert "<strong>bold</strong>" in body and "style.md · passage 3" in body
    assert '"sources"' not in body and "&quot;sources&quot;" not in body


def test_the_admin_export_leaves_out_private_text_and_keeps_the_rest(admin_client, private_chat, workspace):
    public = WorkspaceChatFactory(prompt="An open question")
    for action in ("export_csv", "export_json"):
        response = admin_client.post("/admin/workspaces/workspacechat/", {
            "action": action, "_selected_action": [private_chat.pk, public.pk],
        })
        body = b"".join(response.streaming_content).decode()
        assert "secret" not in body and "pay.pdf" not in body
        assert "An open question" in body and "mia" in body and workspace.slug in body


def test_the_member_sees_whether_admins_can_read_their_chats(member_client, workspace):
    assert "Admins and managers can read the chats" in member_client.get(chat_url(workspace)).content.decode()
    workspace.private_chats = True
    workspace.save()
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "admins and managers see that you asked and when, not what" in body


def test_the_member_still_exports_their_own_private_chats_in_full(member_client, private_chat, workspace):
    response = member_client.get(f"/w/{workspace.slug}/chat/export.json")
    assert "A secret question" in b"".join(response.streaming_content).decode()


def test_the_quota_resets_after_midnight(member_client, user, workspace, manual):
    user.daily_message_limit = 1
    user.save()
    chat = WorkspaceChatFactory(workspace=workspace, user=user)
    WorkspaceChat.objects.filter(pk=chat.pk).update(created_at=timezone.now() - timedelta(days=1, hours=1))
    assert ask(member_client, workspace, "warranty?").status_code == 302
