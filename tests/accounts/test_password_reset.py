"""Password reset without an admin typing a password: one-time, expiring links."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import PasswordResetLink, User
from accounts.passwords import RESET_LINK_UNUSABLE, RESET_REQUESTED, password_reset_issue
from tests.concurrency import at_once
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-pass-42"
NEW_PASSWORD = {"password1": NEW, "password2": NEW}


def issue_link(admin_client, user) -> str:
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "issue_password_reset_links", "_selected_action": [user.pk]}, follow=True
    )
    return re.search(r"http://testserver(/reset/[A-Za-z0-9_-]+/)", response.content.decode()).group(1)


def test_an_admin_issues_a_link_and_the_user_sets_a_new_password_with_it(admin_client, user):
    path = issue_link(admin_client, user)
    visitor = Client()
    assert "Choose a new password" in visitor.get(path).content.decode()
    response = visitor.post(path, NEW_PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert visitor.get("/").status_code == 200  # signed in with the new password


def test_the_link_works_once(admin_client, user):
    path = issue_link(admin_client, user)
    Client().post(path, NEW_PASSWORD)
    response = Client().post(path, {"password1": "another-pass-99", "password2": "another-pass-99"})
    assert response.status_code == 410 and RESET_LINK_UNUSABLE in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_an_expired_link_is_refused(admin_user, user, client):
    token = password_reset_issue(actor=admin_user, user=user)
    PasswordResetLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/reset/{token}/").status_code == 410
    assert client.post(f"/reset/{token}/", NEW_PASSWORD).status_code == 410


def test_using_the_link_ends_the_users_other_sessions(admin_user, user):
    elsewhere = Client()
    elsewhere.login(username="mia", password=DEFAULT_PASSWORD)
    assert elsewhere.get("/").status_code == 200
    token = password_reset_issue(actor=admin_user, user=user)
    Client().post(f"/reset/{token}/", NEW_PASSWORD)
    assert elsewhere.get("/").status_code == 302


def test_a_weak_password_is_a_form_error_and_keeps_the_link(admin_user, user, client):
    token = password_reset_issue(actor=admin_user, user=user)
    response = client.post(f"/reset/{token}/", {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    assert client.post(f"/reset/{token}/", NEW_PASSWORD).status_code == 302


def test_a_manager_cannot_issue_a_link_for_an_admin(manager_client, admin_user):
    manager_client.post(
        "/admin/accounts/user/", {"action": "issue_password_reset_links", "_selected_action": [admin_user.pk]}
    )
    assert not PasswordResetLink.objects.exists()


def test_only_a_hash_of_the_token_is_stored(admin_user, user):
    token = password_reset_issue(actor=admin_user, user=user)
    assert token not in PasswordResetLink.objects.get().token_hash


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_link_set_one_password():
    admin = UserFactory(username="ada", role="admin")
    user = UserFactory(username="mia")
    token = password_reset_issue(actor=admin, user=user)
    def use(number):
        password = f"racing-pass-{number}-xyz"
        return Client().post(f"/reset/{token}/", {"password1": password, "password2": password}).status_code

    codes = at_once(use, 6)
    assert sorted(codes) == [302] + [410] * 5


def test_without_email_the_sign_in_page_points_to_an_admin_and_the_request_page_is_404(client, settings, user):
    settings.EMAIL_URL = ""
    assert "An administrator can send you a reset link" in client.get("/login/").content.decode()
    assert client.get("/reset/").status_code == 404


@pytest.fixture
def email_on(settings):
    settings.EMAIL_URL = "smtp://mail.example.com:25"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_with_email_a_user_asks_for_a_link_and_receives_it(client, email_on, user):
    user.email = "mia@example.com"
    user.save()
    assert "/reset/" in client.get("/login/").content.decode()
    response = client.post("/reset/", {"username_or_email": "MIA@example.com"}, follow=True)
    assert RESET_REQUESTED % {"hours": 24} in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    path = re.search(r"http://testserver(/reset/[A-Za-z0-9_-]+/)", mail.outbox[0].body).group(1)
    assert Client().post(path, NEW_PASSWORD).status_code == 302
    assert User.objects.get(username="mia").check_password(NEW)


def test_the_request_page_answers_the_same_whether_or_not_the_account_exists(client, email_on, user):
    user.email = "mia@example.com"
    user.save()
    known = client.post("/reset/", {"username_or_email": "mia"})
    unknown = client.post("/reset/", {"username_or_email": "nobody"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
