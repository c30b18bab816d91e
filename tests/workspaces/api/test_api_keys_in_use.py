"""A key through HTTP: never more than its user has at the moment of the request, and the
lists cost a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.api_keys import ApiKey, api_key_revoke
from accounts.models import AuditAction, AuditEvent
from accounts.services import user_set_suspended
from tests.factories import WorkspaceChatFactory, WorkspaceDocumentFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces.models import WorkspaceUser
from workspaces.services import membership_remove, membership_set_role

pytestmark = pytest.mark.django_db


def test_revoking_a_key_refuses_its_very_next_request(api_as, user, workspace):
    api = api_as(user, scopes=["read"])
    assert api.get("/api/v1/workspaces").status_code == 200
    api_key_revoke(key=api.key, actor=user)
    assert api.get("/api/v1/workspaces").status_code == 401


def test_an_expired_key_is_refused(api_as, user):
    api = api_as(user, scopes=["read"], expires_at=timezone.now() + timedelta(hours=1))
    assert api.get("/api/v1/usage").status_code == 200
    ApiKey.objects.filter(pk=api.key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/usage").status_code == 401


def test_suspension_stops_the_key_at_the_next_request(api_as, user, admin_user):
    api = api_as(user, scopes=["read"])
    assert api.get("/api/v1/usage").status_code == 200
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    assert api.get("/api/v1/usage").status_code == 401


def test_demotion_and_lost_membership_take_effect_at_the_next_request(api_as, user, workspace, admin_user):
    membership = WorkspaceUser.objects.get(user=user, workspace=workspace)
    membership_set_role(actor=admin_user, membership=membership, role="editor")
    api = api_as(user, scopes=["read", "write"])
    url = f"/api/v1/workspaces/{workspace.slug}/documents"
    from tests.workspaces.documents.sample_files import upload, words

    assert api.upload(url, [upload("a.txt", words(40))]).status_code == 201
    membership_set_role(actor=admin_user, membership=membership, role="viewer")
    assert api.upload(url, [upload("b.txt", words(41))]).status_code == 403
    assert api.get(url).status_code == 200
    membership_remove(actor=admin_user, membership=membership)
    assert api.get(url).status_code == 404


def test_first_use_from_a_new_address_is_audited_once(api_as, user):
    api = api_as(user, scopes=["read"])
    for address in ("203.0.113.1", "203.0.113.1", "198.51.100.2"):
        api.client.get("/api/v1/usage", headers=api._headers(None), REMOTE_ADDR=address)
    events = AuditEvent.objects.filter(action=AuditAction.API_KEY_NEW_ADDRESS).order_by("id")
    assert [event.ip_address for event in events] == ["203.0.113.1", "198.51.100.2"]
    api.key.refresh_from_db()
    assert api.key.last_used_ip == "198.51.100.2"


def test_lists_cost_a_fixed_number_of_queries(api_as, admin_user, user, workspace, django_assert_max_num_queries):
    """The N+1s this prevents: a role, a document count or a cited document looked up per row.
    The key with its user, the key's workspace limit, the workspace, the page, the cited documents."""
    for n in range(30):
        WorkspaceUserFactory(user=user, workspace=WorkspaceFactory(name=f"Team {n:02}"), role="editor")
        WorkspaceDocumentFactory(workspace=workspace)
        WorkspaceChatFactory(workspace=workspace, user=user)
    api = api_as(user, scopes=["read", "ask"])
    api.get("/api/v1/usage")  # the first use writes the address once
    for path in ("/api/v1/workspaces", f"/api/v1/workspaces/{workspace.slug}/documents",
                 f"/api/v1/workspaces/{workspace.slug}/chats"):
        with django_assert_max_num_queries(5):
            response = api.get(path, {"limit": 100})
        assert response.status_code == 200 and len(response.json()["items"]) >= 30
