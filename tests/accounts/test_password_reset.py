"""Password reset links: one-time, expiring, and out of the address bar after the first use.

The token in a link is exchanged for the browser's session on the first request, which
redirects to /reset/set-password/: the token reaches the access log once and is dead
from then on (Django's PasswordResetConfirmView pattern, made single-use)."""

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent, PasswordResetLink
from accounts.passwords import RESET_LINK_UNUSABLE, password_reset_issue
from tests.concurrency import at_once
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-pass-42"
NEW_PASSWORD = {"password1": NEW, "password2": NEW}
SET_PASSWORD_PATH = "/reset/set-password/"


def issue_link(admin_client, user) -> str:
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "issue_password_reset_links", "_selected_action": [user.pk]}, follow=True
    )
    return re.search(r"http://testserver(/reset/[A-Za-z0-9_-]+/)", response.content.decode()).group(1)


def open_link(visitor: Client, path: str):
    """Follow a link as a browser does: the token's URL, then where it redirects."""
    response = visitor.get(path)
    assert response.status_code == 302 and response["Location"] == SET_PASSWORD_PATH
    return visitor.get(SET_PASSWORD_PATH)


def test_an_admin_issues_a_link_and_the_user_sets_a_new_password_with_it(admin_client, user):
    path = issue_link(admin_client, user)
    visitor = Client()
    assert "Choose a new password" in open_link(visitor, path).content.decode()
    response = visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert visitor.get("/").status_code == 200  # signed in with the new password


def test_the_link_redirects_to_a_page_whose_address_and_content_hold_no_token(admin_user, user):
    token = password_reset_issue(actor=admin_user, user=user)
    visitor = Client()
    first = visitor.get(f"/reset/{token}/")
    assert first.status_code == 302 and token not in first["Location"]
    page = visitor.get(first["Location"])
    assert page.status_code == 200 and token not in page.content.decode()
    assert visitor.post(first["Location"], NEW_PASSWORD).status_code == 302


def test_the_token_is_spent_by_its_first_request_so_the_access_log_holds_a_dead_link(admin_user, user):
    """Whoever reads the token in an access log, a proxy's log or the browser history
    replays a link already exchanged for the first browser's session."""
    token = password_reset_issue(actor=admin_user, user=user)
    Client().get(f"/reset/{token}/")
    replay = Client()
    for response in (replay.get(f"/reset/{token}/"), replay.post(f"/reset/{token}/", NEW_PASSWORD)):
        assert response.status_code == 410 and RESET_LINK_UNUSABLE in response.content.decode()
    assert replay.get(SET_PASSWORD_PATH).status_code == 410
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_the_session_sets_one_password_only(admin_user, user):
    token = password_reset_issue(actor=admin_user, user=user)
    visitor = Client()
    open_link(visitor, f"/reset/{token}/")
    assert visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD).status_code == 302
    visitor.post("/logout/")
    again = visitor.post(SET_PASSWORD_PATH, {"password1": "another-pass-99", "password2": "another-pass-99"})
    assert again.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_copied_session_cannot_set_a_second_password(admin_user, user, settings):
    """With sessions held in the cookie itself, a copy taken before the password was set
    still carries the grant; the grant is tied to the user's sign-in hash, so it is dead."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    token = password_reset_issue(actor=admin_user, user=user)
    visitor = Client()
    open_link(visitor, f"/reset/{token}/")
    copy = Client()
    copy.cookies = SimpleCookie({name: morsel.value for name, morsel in visitor.cookies.items()})
    assert visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD).status_code == 302
    again = copy.post(SET_PASSWORD_PATH, {"password1": "another-pass-99", "password2": "another-pass-99"})
    assert again.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_an_expired_link_is_refused(admin_user, user, client):
    token = password_reset_issue(actor=admin_user, user=user)
    PasswordResetLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/reset/{token}/").status_code == 410
    assert client.get(SET_PASSWORD_PATH).status_code == 410


def test_a_link_that_expires_after_it_was_opened_sets_no_password(admin_user, user, client):
    token = password_reset_issue(actor=admin_user, user=user)
    open_link(client, f"/reset/{token}/")
    PasswordResetLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(SET_PASSWORD_PATH, NEW_PASSWORD).status_code == 410
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_suspending_the_user_ends_an_opened_link(admin_user, user, client):
    from accounts.services import user_set_suspended

    token = password_reset_issue(actor=admin_user, user=user)
    open_link(client, f"/reset/{token}/")
    user_set_suspended(actor=admin_user, user=user, suspended=True)
    assert client.post(SET_PASSWORD_PATH, NEW_PASSWORD).status_code == 410


def test_a_malformed_or_unknown_token_is_refused_not_an_error(client, user):
    for token in ("short", "x" * 40, "set-passwords"):
        assert client.get(f"/reset/{token}/").status_code == 410


def test_using_the_link_ends_the_users_other_sessions_and_other_links(admin_user, user):
    elsewhere = Client()
    elsewhere.login(username="mia", password=DEFAULT_PASSWORD)
    assert elsewhere.get("/").status_code == 200
    older = password_reset_issue(actor=admin_user, user=user)
    token = password_reset_issue(actor=admin_user, user=user)
    visitor = Client()
    open_link(visitor, f"/reset/{token}/")
    visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD)
    assert elsewhere.get("/").status_code == 302
    assert Client().get(f"/reset/{older}/").status_code == 410
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, user=user).count() == 1


def test_a_weak_password_is_a_form_error_and_keeps_the_session(admin_user, user, client):
    token = password_reset_issue(actor=admin_user, user=user)
    open_link(client, f"/reset/{token}/")
    response = client.post(SET_PASSWORD_PATH, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    assert client.post(SET_PASSWORD_PATH, NEW_PASSWORD).status_code == 302


def test_a_manager_cannot_issue_a_link_for_an_admin(manager_client, admin_user):
    manager_client.post(
        "/admin/accounts/user/", {"action": "issue_password_reset_links", "_selected_action": [admin_user.pk]}
    )
    assert not PasswordResetLink.objects.exists()


def test_only_a_hash_of_the_token_is_stored(admin_user, user):
    token = password_reset_issue(actor=admin_user, user=user)
    assert token not in PasswordResetLink.objects.get().token_hash


@pytest.mark.django_db(transaction=True)
def test_two_browsers_racing_with_one_link_get_one_session():
    admin = UserFactory(username="ada", role="admin")
    user = UserFactory(username="mia")
    token = password_reset_issue(actor=admin, user=user)

    def use(number):
        return Client().get(f"/reset/{token}/").status_code

    codes = at_once(use, 6)
    assert sorted(codes) == [302] + [410] * 5


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_session_set_one_password():
    admin = UserFactory(username="ada", role="admin")
    user = UserFactory(username="mia")
    token = password_reset_issue(actor=admin, user=user)
    visitor = Client()
    open_link(visitor, f"/reset/{token}/")

    def use(number):
        racer = Client()
        racer.cookies = SimpleCookie({name: morsel.value for name, morsel in visitor.cookies.items()})
        password = f"racing-pass-{number}-xyz"
        return racer.post(SET_PASSWORD_PATH, {"password1": password, "password2": password}).status_code

    codes = at_once(use, 6)
    assert sorted(codes) == [302] + [410] * 5
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET).count() == 1
