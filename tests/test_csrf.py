"""Every form refuses a POST without the CSRF token."""

import pytest
from django.test import Client

from tests.factories import InviteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_sign_in_requires_the_csrf_token(csrf_client):
    UserFactory(username="mia")
    assert csrf_client.post("/login/", {"username": "mia", "password": "x"}).status_code == 403


def test_setup_requires_the_csrf_token(csrf_client):
    assert csrf_client.post("/setup/", {"username": "a", "password1": "x", "password2": "x"}).status_code == 403


def test_invite_signup_requires_the_csrf_token(csrf_client):
    invite = InviteFactory()
    response = csrf_client.post(
        f"/invite/{invite.code}/", {"username": "newbie", "password1": "a-long-pass-1", "password2": "a-long-pass-1"}
    )
    assert response.status_code == 403


def test_account_and_sign_out_require_the_csrf_token(csrf_client, user):
    csrf_client.force_login(user)
    assert csrf_client.post("/account/", {"old_password": "x"}).status_code == 403
    assert csrf_client.post("/logout/").status_code == 403


def test_admin_actions_require_the_csrf_token(csrf_client, admin_user, user):
    csrf_client.force_login(admin_user)
    response = csrf_client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [user.pk]})
    assert response.status_code == 403
    user.refresh_from_db()
    assert not user.suspended


def test_a_form_with_its_token_goes_through(csrf_client):
    UserFactory(username="mia")
    page = csrf_client.get("/login/")
    token = page.context["csrf_token"]
    response = csrf_client.post("/login/", {"username": "mia", "password": "wrong", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
