"""The owner runs a workspace on the site: Members tab and Settings tab; names unique without regard to case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from settings_app.services import setting_set
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces.models import NAME_TAKEN, Workspace, WorkspaceUser
from workspaces.services import (
    ALREADY_MEMBER,
    CANNOT_CHANGE_OWN_MEMBERSHIP,
    MODEL_NOT_ALLOWED,
    NO_SUCH_USER,
    workspace_update,
)

pytestmark = pytest.mark.django_db


def members_url(workspace):
    return f"/w/{workspace.slug}/members/"


def test_the_owner_sees_members_and_settings_tabs_and_a_viewer_does_not(owner_client, client, user, workspace):
    body = owner_client.get(f"/w/{workspace.slug}/").content.decode()
    assert members_url(workspace) in body and f"/w/{workspace.slug}/settings/" in body
    client.force_login(user)
    body = client.get(f"/w/{workspace.slug}/").content.decode()
    assert members_url(workspace) not in body and f"/w/{workspace.slug}/settings/" not in body


def test_the_owner_adds_an_existing_user_by_name_with_a_role(owner_client, workspace):
    UserFactory(username="nina")
    response = owner_client.post(members_url(workspace), {"username": "Nina", "role": "editor"})
    assert response.status_code == 302
    assert WorkspaceUser.objects.get(workspace=workspace, user__username="nina").role == "editor"
    assert "Added nina as editor." in owner_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("username", "message", "status"), [
    ("ghost", NO_SUCH_USER % {"username": "ghost"}, 404),
    ("mia", ALREADY_MEMBER % {"username": "mia"}, 409),
])
def test_adding_an_unknown_user_or_a_member_twice_is_a_form_error(owner_client, user, workspace, username, message,
                                                                 status):
    response = owner_client.post(members_url(workspace), {"username": username, "role": "viewer"})
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_suspended_user_cannot_be_added(owner_client, workspace):
    UserFactory(username="sam", suspended=True)
    assert owner_client.post(members_url(workspace), {"username": "sam", "role": "viewer"}).status_code == 404
    assert not WorkspaceUser.objects.filter(user__username="sam").exists()


def test_the_owner_changes_a_role_and_removes_a_member(owner_client, user, workspace):
    membership = user.memberships.get()
    url = f"/w/{workspace.slug}/members/{membership.pk}/"
    assert owner_client.post(url, {"role": "editor"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "editor"
    owner_client.post(url, {"remove": "1"})
    assert not WorkspaceUser.objects.filter(pk=membership.pk).exists()


def test_an_owner_cannot_demote_or_remove_themselves(owner_client, owner, workspace):
    membership = owner.memberships.get()
    url = f"/w/{workspace.slug}/members/{membership.pk}/"
    response = owner_client.post(url, {"role": "viewer"}, follow=True)
    assert CANNOT_CHANGE_OWN_MEMBERSHIP in response.content.decode()
    owner_client.post(url, {"remove": "1"})
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_a_membership_of_another_workspace_is_not_found_under_this_one(owner_client, workspace):
    elsewhere = WorkspaceUserFactory(workspace=WorkspaceFactory(name="Elsewhere"))
    assert owner_client.post(f"/w/{workspace.slug}/members/{elsewhere.pk}/", {"remove": "1"}).status_code == 404
    assert WorkspaceUser.objects.filter(pk=elsewhere.pk).exists()


def test_an_editor_cannot_manage_members_even_by_a_forged_post(client, user, workspace):
    user.memberships.update(role="editor")
    other = WorkspaceUserFactory(workspace=workspace, role="viewer")
    client.force_login(user)
    assert client.post(f"/w/{workspace.slug}/members/{other.pk}/", {"role": "owner"}).status_code == 403
    assert client.post(members_url(workspace), {"username": "mia", "role": "owner"}).status_code == 403
    other.refresh_from_db()
    assert other.role == "viewer" and user.memberships.get().role == "editor"


def test_the_members_page_costs_a_fixed_number_of_queries(owner_client, workspace, django_assert_max_num_queries):
    """Usernames come with the memberships (select_related), not one query per row."""
    for number in range(60):
        WorkspaceUserFactory(workspace=workspace, user=UserFactory(username=f"member{number:02}"))
    with django_assert_max_num_queries(9):
        body = owner_client.get(members_url(workspace)).content.decode()
    assert "member49" in body and "member50" not in body and "Page 1 of 2" in body  # 61 with the owner, 50 a page
    assert "member59" in owner_client.get(members_url(workspace) + "?page=2").content.decode()


SETTINGS = {"name": "Research", "description": "Our papers", "chat_mode": "query", "system_prompt": "Be brief.",
            "top_n": "6", "similarity_threshold": "0.3", "chat_provider": "", "chat_model": "", "private_chats": "on"}


def test_the_owner_changes_the_workspace_settings(owner_client, workspace):
    response = owner_client.post(f"/w/{workspace.slug}/settings/", SETTINGS)
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.description, workspace.chat_mode, workspace.top_n, workspace.private_chats) == \
        ("Our papers", "query", 6, True)


def test_a_name_taken_in_another_case_is_a_clear_error_not_a_suffix(owner_client, workspace):
    WorkspaceFactory(name="Legal")
    response = owner_client.post(f"/w/{workspace.slug}/settings/", {**SETTINGS, "name": "  LEGAL "})
    assert response.status_code == 400
    assert "A workspace with this name already exists" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Research"


def test_the_database_refuses_a_duplicate_name_whatever_the_door():
    WorkspaceFactory(name="Research")
    with pytest.raises(ValidationError) as refused:
        Workspace(name="research").full_clean()
    assert NAME_TAKEN in str(refused.value)


def test_the_admin_refuses_a_duplicate_name_with_the_same_message(admin_client, workspace):
    response = admin_client.post("/admin/workspaces/workspace/add/", {
        "name": "RESEARCH", "chat_mode": "chat", "history_length": 20, "top_n": 4, "similarity_threshold": 0.25,
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert NAME_TAKEN in response.content.decode()
    assert Workspace.objects.count() == 1


def test_owners_choose_only_models_the_admin_allows(owner, workspace):
    setting_set(label="owner_chat_models", value="llama3\nmistral")
    workspace_update(actor=owner, workspace=workspace, chat_model="mistral")
    with pytest.raises(ValidationError) as refused:
        workspace_update(actor=owner, workspace=workspace, chat_model="gpt-huge")
    assert MODEL_NOT_ALLOWED % {"model": "gpt-huge"} in refused.value.message_dict["chat_model"]
    workspace.refresh_from_db()
    assert workspace.chat_model == "mistral"


def test_the_settings_form_offers_the_allowed_models(owner_client, workspace):
    setting_set(label="owner_chat_models", value="llama3\nmistral")
    body = owner_client.get(f"/w/{workspace.slug}/settings/").content.decode()
    assert '<option value="llama3">' in body and '<option value="mistral">' in body
    response = owner_client.post(f"/w/{workspace.slug}/settings/", {**SETTINGS, "chat_model": "gpt-huge"})
    assert response.status_code == 400


def test_an_owner_cannot_change_fields_outside_the_settings_tab(owner, workspace):
    with pytest.raises(PermissionDenied):
        workspace_update(actor=owner, workspace=workspace, history_length=5)


def test_the_account_page_shows_the_role_in_each_workspace(member_client):
    assert "Research</a> <span class=\"muted small\">· viewer</span>" in member_client.get("/account/").content.decode()
