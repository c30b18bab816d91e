"""Conversations through the API: asking continues the latest thread unless told otherwise,
threads are listed, renamed and deleted, answers regenerated and rated; another member's
thread is not found."""

import pytest

from tests.factories import UserFactory, WorkspaceChatFactory, WorkspaceUserFactory
from workspaces.models import ChatThread, WorkspaceChat

pytestmark = pytest.mark.django_db


def test_asking_continues_the_latest_thread_or_starts_one_when_told(api_as, user, workspace, handbook):
    api = api_as(user, scopes=["ask"])
    url = f"/api/v1/workspaces/{workspace.slug}/chats"
    first = api.post(url, {"prompt": "How long is annual leave?"}).json()
    follow = api.post(url, {"prompt": "And expenses?"}).json()
    assert first["thread"] == follow["thread"]  # as before threads: one conversation goes on
    fresh = api.post(url, {"prompt": "Annual leave again?", "thread": 0}).json()
    assert fresh["thread"] != first["thread"]
    back = api.post(url, {"prompt": "How are expenses paid?", "thread": first["thread"]}).json()
    assert back["thread"] == first["thread"]
    again = api.post(url, {"prompt": "How long is annual leave?", "version_of": first["id"]}).json()
    assert (again["version_of"], again["thread"]) == (first["id"], first["thread"])

    listed = api.get(f"/api/v1/workspaces/{workspace.slug}/threads").json()["items"]
    assert [item["id"] for item in listed] == [fresh["thread"], first["thread"]]
    assert listed[1]["title"] == "How long is annual leave?"
    only = api.get(url, {"thread": fresh["thread"]}).json()["items"]
    assert [chat["prompt"] for chat in only] == ["Annual leave again?"]


def test_a_thread_is_renamed_deleted_and_an_answer_rated(api_as, user, workspace):
    api = api_as(user, scopes=["ask"])
    chat = WorkspaceChatFactory(workspace=workspace, user=user)
    base = f"/api/v1/workspaces/{workspace.slug}"
    renamed = api.client.patch(f"{base}/threads/{chat.thread_id}", {"title": "Leave"}, content_type="application/json",
                               headers={"Authorization": f"Bearer {api.secret}"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Leave"
    rated = api.client.put(f"{base}/chats/{chat.pk}/feedback", {"rating": -1, "comment": "Wrong."},
                           content_type="application/json", headers={"Authorization": f"Bearer {api.secret}"})
    assert rated.status_code == 200 and rated.json()["rating"] == -1
    chat.refresh_from_db()
    assert chat.feedback == "Wrong."
    assert api.delete(f"{base}/threads/{chat.thread_id}").json() == {"cleared": 1}
    assert api.get(f"{base}/threads").json()["items"] == []
    assert ChatThread.objects.get().include is False and WorkspaceChat.objects.get().include is False


def test_another_members_thread_is_not_found(api_as, user, workspace):
    leo = UserFactory(username="leo")
    WorkspaceUserFactory(user=leo, workspace=workspace)
    theirs = WorkspaceChatFactory(workspace=workspace, user=leo)
    api = api_as(user, scopes=["ask"])
    base = f"/api/v1/workspaces/{workspace.slug}"
    assert api.delete(f"{base}/threads/{theirs.thread_id}").status_code == 404
    assert api.post(f"{base}/chats", {"prompt": "x", "thread": theirs.thread_id}).status_code == 404
    assert api.post(f"{base}/chats", {"prompt": "x", "version_of": theirs.pk}).status_code == 404
    assert api.get(f"{base}/chats", {"thread": theirs.thread_id}).status_code == 404
    assert ChatThread.objects.get().include is True and WorkspaceChat.objects.count() == 1
