"""Members and settings through the API: the `manage` scope, for owners and staff only."""

import pytest

from accounts.models import AuditAction, AuditEvent
from tests.factories import UserFactory
from tests.workspaces.api.test_api_endpoints import problem
from workspaces.models import WorkspaceUser

pytestmark = pytest.mark.django_db


def test_an_owner_lists_adds_promotes_and_removes_members(api_as, owner, user, workspace):
    UserFactory(username="newbie")
    api = api_as(owner, scopes=["manage"])
    base = f"/api/v1/workspaces/{workspace.slug}/members"
    assert [m["username"] for m in api.get(base).json()["items"]] == ["mia", "olga"]
    added = api.post(base, {"username": "newbie", "role": "viewer"})
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    problem(api.post(base, {"username": "newbie"}), 409, "conflict")
    problem(api.post(base, {"username": "nobody"}), 404, "not_found")
    problem(api.post(base, {"username": "x", "role": "emperor"}), 400, "invalid")
    changed = api.client.patch(f"{base}/newbie", {"role": "editor"}, content_type="application/json",
                               headers=api._headers(None))
    assert changed.json()["role"] == "editor"
    assert api.delete(f"{base}/newbie").status_code == 204
    assert not WorkspaceUser.objects.filter(user__username="newbie").exists()
    problem(api.delete(f"{base}/olga"), 403, "forbidden")  # an owner does not remove themselves
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ADDED).exists()


def test_an_owner_changes_settings_and_a_bad_value_is_a_problem(api_as, owner, workspace):
    api = api_as(owner, scopes=["manage"])
    url = f"/api/v1/workspaces/{workspace.slug}/settings"
    response = api.client.patch(url, {"description": "Papers", "private_chats": True},
                                content_type="application/json", headers=api._headers(None))
    assert response.status_code == 200 and response.json()["private_chats"] is True
    workspace.refresh_from_db()
    assert workspace.description == "Papers" and workspace.private_chats
    fallback = api.client.patch(url, {"fallback_to_builtin": True}, content_type="application/json",
                                headers=api._headers(None))
    assert fallback.json()["fallback_to_builtin"] is True
    workspace.refresh_from_db()
    assert workspace.fallback_to_builtin
    bad = api.client.patch(url, {"top_n": 0}, content_type="application/json", headers=api._headers(None))
    problem(bad, 400, "invalid")
    empty = api.client.patch(url, {}, content_type="application/json", headers=api._headers(None))
    problem(empty, 400, "invalid")


def test_a_viewer_or_a_key_without_manage_cannot_manage(api_as, owner, user, workspace):
    base = f"/api/v1/workspaces/{workspace.slug}/members"
    problem(api_as(user, scopes=["read", "ask", "write", "manage"]).get(base), 403, "forbidden")
    body = problem(api_as(owner, scopes=["read", "write"]).get(base), 403, "forbidden")
    assert "manage" in body["detail"]
