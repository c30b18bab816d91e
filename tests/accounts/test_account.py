import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_account_page_shows_role_and_workspaces(member_client):
    body = member_client.get("/account/").content.decode()
    assert "<dt>Role</dt><dd>Member</dd>" in body and "Research" in body


def test_changing_password_keeps_this_session_and_ends_the_others(member_client, user):
    elsewhere = Client()
    elsewhere.force_login(user)
    response = member_client.post(
        "/account/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "another-long-pass-7",
            "new_password2": "another-long-pass-7",
        },
    )
    assert response.status_code == 302
    assert member_client.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-7")


def test_wrong_old_password_is_an_inline_error(member_client, user):
    response = member_client.post(
        "/account/",
        {"old_password": "wrong", "new_password1": "another-long-pass-7", "new_password2": "another-long-pass-7"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
