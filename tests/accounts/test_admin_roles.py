"""Role rules, exercised as requests through the Django admin (forged POSTs included)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Invite, InviteStatus, User
from accounts.roles import Role
from accounts.services import CANNOT_DEMOTE_SELF, CANNOT_SUSPEND_SELF
from tests.factories import AdminFactory, InviteFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_post(user, **overrides):
    data = {
        "username": user.username,
        "role": user.role,
        "suspended": "on" if user.suspended else "",
        # Empty inline management forms (memberships, invites issued).
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "created_invites-TOTAL_FORMS": "0", "created_invites-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_default_user_gets_no_admin_page(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert member_client.get("/admin/accounts/user/").status_code == 302


def test_admin_lists_users_with_role_filter_and_search(admin_client):
    UserFactory(username="zed")
    ManagerFactory(username="mona")
    response = admin_client.get("/admin/accounts/user/", {"role__exact": "manager", "q": "mon"})
    body = response.content.decode()
    assert "mona" in body and "zed" not in body


def test_manager_does_not_see_admins(manager_client, admin_user):
    body = manager_client.get("/admin/accounts/user/").content.decode()
    assert admin_user.username not in body
    response = manager_client.get(f"/admin/accounts/user/{admin_user.pk}/change/")
    assert response.status_code == 302  # "does not exist" redirect to the admin index


def test_manager_form_does_not_offer_the_admin_role(manager_client):
    member = UserFactory()
    body = manager_client.get(f"/admin/accounts/user/{member.pk}/change/").content.decode()
    assert 'value="manager"' in body
    assert 'value="admin"' not in body


def test_manager_cannot_raise_anyone_to_admin_with_a_forged_post(manager_client):
    member = UserFactory()
    response = manager_client.post(f"/admin/accounts/user/{member.pk}/change/", change_post(member, role="admin"))
    assert response.status_code == 200  # the form comes back with an error
    member.refresh_from_db()
    assert member.role == Role.DEFAULT


def add_user(client, *, username, role):
    return client.post(
        "/admin/accounts/user/add/",
        {"username": username, "role": role, "usable_password": "true",
         "password1": "x-very-long-pass-9", "password2": "x-very-long-pass-9"},
    )


def test_manager_cannot_create_an_admin_with_a_forged_post(manager_client):
    response = add_user(manager_client, username="sneaky", role="admin")
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()


def test_manager_cannot_edit_suspend_or_delete_an_admin(manager_client, admin_user):
    url = f"/admin/accounts/user/{admin_user.pk}"
    manager_client.post(f"{url}/change/", change_post(admin_user, suspended="on", role="default"))
    manager_client.post(f"{url}/delete/", {"post": "yes"})
    manager_client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [admin_user.pk]})
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and not admin_user.suspended


def test_manager_can_create_and_suspend_members(manager_client):
    response = add_user(manager_client, username="Newbie", role="default")
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    manager_client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [newbie.pk]})
    newbie.refresh_from_db()
    assert newbie.suspended


def test_nobody_can_suspend_themselves(admin_client, admin_user):
    AdminFactory()  # not the last admin, so only the self rule applies
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [admin_user.pk]}, follow=True
    )
    assert CANNOT_SUSPEND_SELF in response.content.decode()
    response = admin_client.post(
        f"/admin/accounts/user/{admin_user.pk}/change/", change_post(admin_user, suspended="on")
    )
    assert CANNOT_SUSPEND_SELF in response.content.decode()
    admin_user.refresh_from_db()
    assert not admin_user.suspended


def test_nobody_can_demote_themselves(admin_client, admin_user):
    AdminFactory()
    response = admin_client.post(
        f"/admin/accounts/user/{admin_user.pk}/change/", change_post(admin_user, role="manager")
    )
    assert CANNOT_DEMOTE_SELF in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_last_admin_stays_when_a_second_admins_request_arrives_after_the_first_changed_things(client, admin_user):
    """Two admins suspending each other at once (the second request arriving with a stale view)
    must leave one active admin: the second change is refused."""
    bob = AdminFactory(username="bob")
    client.force_login(admin_user)
    client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [bob.pk]})
    bob_as_he_was = User.objects.get(pk=bob.pk)
    bob_as_he_was.suspended = False  # his request was already past the session check
    for change in (
        lambda: services.user_set_suspended(actor=bob_as_he_was, user=admin_user, suspended=True),
        lambda: services.user_save(actor=bob_as_he_was, user=User(pk=admin_user.pk, username="ada", role="manager")),
        lambda: services.user_delete(actor=bob_as_he_was, user=admin_user),
    ):
        with pytest.raises(ValidationError, match="last active admin"):
            change()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and not admin_user.suspended


def test_the_last_admin_has_no_delete_page_for_themselves(admin_client, admin_user):
    assert admin_client.get(f"/admin/accounts/user/{admin_user.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/accounts/user/{admin_user.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_invite_add_generates_a_code_and_shows_the_claim_link(admin_client, admin_user, workspace):
    response = admin_client.post(
        "/admin/accounts/invite/add/",
        {"workspaces": [workspace.pk], "code": "chosen-by-hand-1234567890", "role": "viewer", "max_uses": "1"},
        follow=True,
    )
    invite = Invite.objects.get()
    assert invite.code != "chosen-by-hand-1234567890" and len(invite.code) >= 32
    assert invite.created_by == admin_user
    assert list(invite.workspaces.all()) == [workspace]
    assert f"/invite/{invite.code}/" in response.content.decode()


def test_disable_action_disables_pending_invites_only(admin_client):
    pending = InviteFactory()
    claimed = InviteFactory(status=InviteStatus.CLAIMED)
    admin_client.post(
        "/admin/accounts/invite/", {"action": "disable_invites", "_selected_action": [pending.pk, claimed.pk]}
    )
    pending.refresh_from_db()
    claimed.refresh_from_db()
    assert pending.status == InviteStatus.DISABLED
    assert claimed.status == InviteStatus.CLAIMED


def test_createsuperuser_makes_an_admin():
    from django.core.management import call_command

    call_command("createsuperuser", username="root", interactive=False, verbosity=0)
    assert User.objects.get(username="root").role == Role.ADMIN


def test_usernames_are_unique_whatever_the_letter_case(admin_client):
    UserFactory(username="mia")
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "MIA", "role": "default", "usable_password": "true",
         "password1": "x-very-long-pass-9", "password2": "x-very-long-pass-9"},
    )
    assert response.status_code == 200
    assert User.objects.filter(username="mia").count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda manager, admin: services.user_save(
            actor=manager, user=User(pk=admin.pk, username="ada", role="default")
        ),
        lambda manager, admin: services.user_set_suspended(actor=manager, user=admin, suspended=True),
        lambda manager, admin: services.user_delete(actor=manager, user=admin),
    ],
    ids=["demote", "suspend", "delete"],
)
def test_the_services_refuse_a_manager_acting_on_an_admin_whatever_the_edited_object_says(
    manager_user, admin_user, change
):
    with pytest.raises(PermissionDenied):
        change(manager_user, admin_user)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and not admin_user.suspended


def test_the_chat_log_cannot_be_deleted_from_the_admin(admin_client, workspace):
    from tests.factories import WorkspaceChatFactory
    from workspaces.models import WorkspaceChat

    chat = WorkspaceChatFactory(workspace=workspace)
    admin_client.post(
        "/admin/workspaces/workspacechat/", {"action": "delete_selected", "_selected_action": [chat.pk], "post": "yes"}
    )
    assert admin_client.post(f"/admin/workspaces/workspacechat/{chat.pk}/delete/", {"post": "yes"}).status_code == 403
    assert WorkspaceChat.objects.filter(pk=chat.pk).exists()
