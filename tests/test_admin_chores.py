"""The admin's everyday pages, made short: no SSO choice, readable sizes, pickers instead of two lists."""

import pytest

from accounts.models import User
from tests.factories import WorkspaceDocumentFactory

pytestmark = pytest.mark.django_db


def test_the_add_user_form_has_no_password_based_authentication_choice(admin_client):
    body = admin_client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="usable_password"' not in body and "Password-based authentication" not in body
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "nina", "role": "default", "password1": "a-long-enough-pass-1", "password2": "a-long-enough-pass-1",
    })
    assert response.status_code == 302
    assert User.objects.get(username="nina").check_password("a-long-enough-pass-1")


def test_the_user_form_sets_a_personal_daily_limit_and_an_email(admin_client, user):
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert 'name="daily_message_limit"' in page and 'name="email"' in page
    assert 'name="memberships-0-role"' in page  # the role of each workspace membership


def test_document_sizes_read_in_kb_and_mb(admin_client, workspace):
    WorkspaceDocumentFactory(workspace=workspace, filename="big.pdf", metadata={"size": 3 * 1024 * 1024})
    WorkspaceDocumentFactory(workspace=workspace, filename="small.txt", metadata={"size": 2048})
    body = admin_client.get("/admin/workspaces/workspacedocument/").content.decode()
    assert "3.0\xa0MB" in body and "2.0\xa0KB" in body


def test_workspace_members_are_picked_by_search_with_their_role(admin_client, workspace, user):
    body = admin_client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").content.decode()
    assert "admin-autocomplete" in body and 'name="memberships-0-role"' in body
    assert "selectfilter" not in body.lower()
