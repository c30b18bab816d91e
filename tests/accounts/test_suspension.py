import pytest
from django.test import Client

from accounts.forms import SUSPENDED_MESSAGE
from accounts.models import AuditAction, AuditEvent
from accounts.services import user_set_suspended
from tests.factories import DEFAULT_PASSWORD, ManagerFactory

pytestmark = pytest.mark.django_db


def test_an_open_session_stops_working_at_the_next_request_once_suspended(member_client, user, admin_user, workspace):
    assert member_client.get(f"/w/{workspace.slug}/").status_code == 200
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    response = member_client.get(f"/w/{workspace.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_suspended_managers_admin_session_stops_at_once(client, admin_user):
    manager = ManagerFactory()
    client.force_login(manager)
    assert client.get("/admin/").status_code == 200
    admin = Client()
    admin.force_login(admin_user)
    admin.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [manager.pk]})
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_unsuspending_restores_sign_in(client, user, admin_user):
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    refused = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD})
    assert SUSPENDED_MESSAGE in refused.content.decode()
    user_set_suspended(actor=admin_user, user=user, suspended=False)
    assert client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD}).status_code == 302


def test_suspensions_are_in_the_audit_trail(admin_user, user):
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    event = AuditEvent.objects.get(action=AuditAction.SUSPENDED)
    assert event.user == user and "ada" in event.detail


def test_changing_a_users_password_in_the_admin_ends_their_sessions(member_client, user, admin_user):
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "brand-new-pass-42", "password2": "brand-new-pass-42", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302
    assert admin.get("/admin/").status_code == 200


def test_restoring_a_suspended_user_does_not_revive_their_old_sessions(member_client, user, admin_user, workspace):
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    user_set_suspended(actor=admin_user, user=user, suspended=False)
    response = member_client.get(f"/w/{workspace.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
