"""Issue 11's admin attacks, re-run: every one answers a message or a 400, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import InviteStatus, User
from accounts.roles import Role
from config.admin_safety import BAD_SELECTION
from config.middleware import NUL_IN_QUERY
from tests.accounts.test_admin_roles import change_post
from tests.factories import AdminFactory, InviteFactory, UserFactory, WorkspaceUserFactory
from workspaces.models import WorkspaceUser

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def two_admins(db):
    ada, bob = AdminFactory(username="ada"), AdminFactory(username="bob")
    return ada, bob


def user_post(user, **overrides):
    return {**change_post(user, **overrides), "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def demote_behind_their_back(monkeypatch, method, admin_user):
    """Make `admin_user` a manager, as another admin's request would, right between the
    admin's checks and `method` (the save or the delete)."""
    model_admin = type(admin.site._registry[User])
    original = getattr(model_admin, method)

    def racing(self, request, *args, **kwargs):
        User.objects.filter(pk=admin_user.pk).update(role=Role.MANAGER)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(model_admin, method, racing)


def test_two_admins_demoting_each_other_at_once_the_loser_gets_a_message_not_a_500(two_admins, monkeypatch):
    ada, bob = two_admins
    demote_behind_their_back(monkeypatch, "save_form", ada)  # bob's demotion of ada lands first
    url = f"/admin/accounts/user/{bob.pk}/change/"
    response = signed_in(ada).post(url, user_post(bob, role=Role.MANAGER))
    assert response.status_code == 302 and response["Location"] == url
    assert messages_of(response) == ["“bob” is the last active admin: make another admin first."]
    bob.refresh_from_db()
    assert bob.role == Role.ADMIN


def test_an_admin_deleting_the_other_admin_as_they_are_demoted_gets_a_message_not_a_500(two_admins, monkeypatch):
    ada, bob = two_admins
    demote_behind_their_back(monkeypatch, "log_deletions", ada)
    response = signed_in(ada).post(f"/admin/accounts/user/{bob.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == ["“bob” is the last active admin: make another admin first."]
    assert User.objects.filter(pk=bob.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/invite/?status=%00",
        "/admin/accounts/auditevent/?action=%00",
        "/admin/accounts/user/?q=%00",
        "/admin/autocomplete/?app_label=workspaces&model_name=workspaceuser&field_name=user&term=%00",
    ],
)
def test_a_nul_character_in_an_admin_filter_search_or_autocomplete_term_is_a_400(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == NUL_IN_QUERY


@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/accounts/invite/", "/admin/accounts/auditevent/", "/admin/workspaces/workspacechat/",
        "/admin/workspaces/workspacedocument/",
    ],
)
def test_a_year_out_of_range_in_a_changelist_date_drill_down_is_a_bad_lookup_not_a_500(admin_client, changelist):
    for query in ("created_at__year=99999", "created_at__year=0", "created_at__year=-5"):
        response = admin_client.get(f"{changelist}?{query}")
        assert response.status_code in (200, 302), query
        if response.status_code == 302:
            assert response["Location"].endswith("?e=1")
            assert admin_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("changelist", "action"),
    [("/admin/accounts/user/", "suspend_users"), ("/admin/accounts/invite/", "disable_invites")],
)
def test_an_action_posted_with_selected_ids_that_are_not_ids_answers_with_a_message(admin_client, changelist, action):
    invite = InviteFactory()
    response = admin_client.post(changelist, {"action": action, "_selected_action": ["abc", str(invite.pk)]})
    assert response.status_code == 302
    assert messages_of(response) == [BAD_SELECTION]
    invite.refresh_from_db()
    assert invite.status == InviteStatus.PENDING


def workspace_post(workspace, *rows):
    data = {
        "name": workspace.name, "chat_mode": workspace.chat_mode, "chat_provider": workspace.chat_provider,
        "chat_model": workspace.chat_model, "system_prompt": workspace.system_prompt,
        "history_length": workspace.history_length, "top_n": workspace.top_n,
        "similarity_threshold": workspace.similarity_threshold,
        "memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for number, user in enumerate(rows):
        data[f"memberships-{number}-user"] = str(user.pk)
        data[f"memberships-{number}-workspace"] = str(workspace.pk)
        data[f"memberships-{number}-role"] = "viewer"
    return data


def test_a_manager_cannot_add_an_admin_to_a_workspace_by_posting_their_id(manager_client, workspace, admin_user):
    url = f"/admin/workspaces/workspace/{workspace.pk}/change/"
    response = manager_client.post(url, workspace_post(workspace, admin_user))
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    assert not WorkspaceUser.objects.filter(user=admin_user).exists()
    member = UserFactory(username="nina")
    response = manager_client.post(url, workspace_post(workspace, member))
    assert response.status_code == 302
    assert WorkspaceUser.objects.filter(user=member, workspace=workspace).exists()


def test_a_manager_still_saves_a_workspace_an_admin_already_belongs_to(manager_client, workspace, admin_user):
    membership = WorkspaceUserFactory(user=admin_user, workspace=workspace)
    data = workspace_post(workspace)
    data.update({
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk), "memberships-0-user": str(admin_user.pk),
        "memberships-0-workspace": str(workspace.pk), "memberships-0-role": "viewer",
    })
    response = manager_client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", data)
    assert response.status_code == 302
    assert WorkspaceUser.objects.filter(user=admin_user, workspace=workspace).exists()
