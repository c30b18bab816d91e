"""Private stays private, forever (issue 22, must-have 1).

Whether a chat is private is decided when it is asked and stored on the chat. Switching the
workspace's setting off never reveals what was asked while it was on; switching it either way
is audited, and the member's chat page says since when."""

import pytest
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import WorkspaceRole
from tests.factories import WorkspaceChatFactory, WorkspaceUserFactory
from tests.workspaces.chats.asking import ask, chat_url
from workspaces.chats.admin import PRIVATE_TEXT
from workspaces.models import WorkspaceChat
from workspaces.services import workspace_update

pytestmark = pytest.mark.django_db

CHAT_LOG = "/admin/workspaces/workspacechat/"


def _switch_off_in_the_admin(client, workspace):
    form = client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "private_chats"}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    response = client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    workspace.refresh_from_db()
    assert workspace.private_chats is False


@pytest.fixture
def asked_while_private(member_client, workspace, manual):
    workspace.private_chats = True
    workspace.save()
    ask(member_client, workspace, "What is the warranty on the salary secret?")
    return WorkspaceChat.objects.get()


def test_a_chat_asked_while_chats_are_private_is_stored_as_private(asked_while_private):
    assert asked_while_private.private is True


@pytest.mark.parametrize("door", ["site", "admin"])
def test_switching_private_chats_off_does_not_reveal_what_was_asked_while_it_was_on(
    request, asked_while_private, workspace, admin_client, door
):
    if door == "site":
        admin = request.getfixturevalue("admin_user")
        workspace_update(actor=admin, workspace=workspace, private_chats=False)
    else:
        _switch_off_in_the_admin(admin_client, workspace)
    listing = admin_client.get(CHAT_LOG).content.decode()
    detail = admin_client.get(f"{CHAT_LOG}{asked_while_private.pk}/change/").content.decode()
    for body in (listing, detail):
        assert PRIVATE_TEXT in body and "salary secret" not in body
    assert admin_client.get(CHAT_LOG, {"q": "salary"}).context["cl"].result_count == 0
    export = admin_client.post(CHAT_LOG, {"action": "export_csv", "_selected_action": [asked_while_private.pk]})
    assert "salary secret" not in b"".join(export.streaming_content).decode()


def test_a_chat_asked_after_switching_off_is_readable_in_the_log(member_client, workspace, admin_user, manual):
    workspace.private_chats = True
    workspace.save()
    workspace_update(actor=admin_user, workspace=workspace, private_chats=False)
    ask(member_client, workspace, "What is the warranty now?")
    chat = WorkspaceChat.objects.get()
    assert chat.private is False
    member_client.force_login(admin_user)
    assert "What is the warranty now?" in member_client.get(f"{CHAT_LOG}{chat.pk}/change/").content.decode()


def test_switching_private_chats_on_hides_the_text_of_earlier_chats_too(workspace, admin_client, admin_user):
    """The safe direction: while chats are private, nothing of the workspace's text shows."""
    earlier = WorkspaceChatFactory(workspace=workspace, prompt="an earlier open question")
    workspace_update(actor=admin_user, workspace=workspace, private_chats=True)
    assert "an earlier open question" not in admin_client.get(f"{CHAT_LOG}{earlier.pk}/change/").content.decode()
    assert admin_client.get(CHAT_LOG, {"q": "earlier"}).context["cl"].result_count == 0


@pytest.mark.parametrize("door", ["site", "admin"])
def test_switching_private_chats_is_audited_with_who_and_from_to(request, workspace, admin_client, admin_user, door):
    workspace.private_chats = True
    workspace.save()
    if door == "site":
        owner = request.getfixturevalue("user")
        workspace.memberships.filter(user=owner).update(role=WorkspaceRole.OWNER)
        request.getfixturevalue("client").force_login(owner)
        response = request.getfixturevalue("client").post(
            f"/w/{workspace.slug}/settings/",
            {"name": workspace.name, "chat_mode": workspace.chat_mode, "top_n": workspace.top_n,
             "similarity_threshold": workspace.similarity_threshold, "chat_provider": "", "chat_model": ""},
        )
        assert response.status_code == 302
        who = owner.username
    else:
        _switch_off_in_the_admin(admin_client, workspace)
        who = admin_user.username
    event = AuditEvent.objects.get(action=AuditAction.PRIVATE_CHATS_CHANGED)
    assert event.username == who
    assert "on → off" in event.detail and workspace.name in event.detail
    workspace.refresh_from_db()
    assert timezone.now() - workspace.private_chats_since < timezone.timedelta(minutes=1)


def test_saving_settings_without_switching_records_no_privacy_event(workspace, admin_user):
    workspace_update(actor=admin_user, workspace=workspace, top_n=3)
    assert not AuditEvent.objects.filter(action=AuditAction.PRIVATE_CHATS_CHANGED).exists()


def test_the_member_sees_since_when_their_chats_are_private_or_not(member_client, workspace, admin_user):
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "Admins and managers can read the chats" in body
    workspace_update(actor=admin_user, workspace=workspace, private_chats=True)
    body = member_client.get(chat_url(workspace)).content.decode()
    today = timezone.localtime(workspace.private_chats_since).strftime("%-d %b %Y")
    assert f"Private since {today}" in body
    workspace_update(actor=admin_user, workspace=workspace, private_chats=False)
    body = member_client.get(chat_url(workspace)).content.decode()
    assert f"Not private since {today}" in body and "questions asked while chats were private stay private" in body


def test_a_viewer_cannot_switch_private_chats(client, workspace):
    viewer = WorkspaceUserFactory(workspace=workspace, role=WorkspaceRole.VIEWER).user
    client.force_login(viewer)
    assert client.post(f"/w/{workspace.slug}/settings/", {"private_chats": "on"}).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action=AuditAction.PRIVATE_CHATS_CHANGED).exists()
