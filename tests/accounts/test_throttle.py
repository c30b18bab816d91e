import ipaddress

import pytest

from accounts.signin import LOCKED_OUT
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED_TEXT = LOCKED_OUT.split("%")[0]


def test_repeated_failures_for_one_username_lock_it_even_with_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="mia")
    for _ in range(3):
        client.post("/login/", {"username": "mia", "password": "wrong-guess-123"})
    response = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD})
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="mia")
    UserFactory(username="otto")
    for _ in range(3):
        client.post("/login/", {"username": "mia", "password": "wrong-guess-123"})
    assert client.post("/login/", {"username": "otto", "password": DEFAULT_PASSWORD}).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 4
    UserFactory(username="mia")
    for n in range(4):
        client.post("/login/", {"username": f"guess{n}", "password": "wrong-guess-123"})
    response = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD})
    assert LOCKED_TEXT in response.content.decode()


def test_lockout_ends_after_the_window(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    UserFactory(username="mia")
    for _ in range(2):
        client.post("/login/", {"username": "mia", "password": "wrong-guess-123"})
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import AuditEvent

    AuditEvent.objects.update(created_at=timezone.now() - timedelta(seconds=120))
    assert client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD}).status_code == 302


def test_behind_a_trusted_proxy_the_lockout_counts_the_forwarded_client_address(client, settings):
    settings.TRUSTED_PROXY_IPS = [ipaddress.ip_network("127.0.0.1")]
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3
    UserFactory(username="mia")
    for n in range(3):
        client.post("/login/", {"username": f"guess{n}", "password": "x-wrong-1"},
                    HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    other_client = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD},
                               HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="127.0.0.1")
    assert other_client.status_code == 302  # another client behind the same proxy is not locked out
    client.post("/logout/")
    locked = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD},
                         HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert LOCKED_TEXT in locked.content.decode()


def test_the_admin_sign_in_page_shares_the_lockout_and_the_audit_trail(client, settings, manager_user):
    from accounts.models import AuditAction, AuditEvent

    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/admin/login/", {"username": "max", "password": "wrong-guess-123"})
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="max").count() == 3
    response = client.post("/admin/login/", {"username": "max", "password": DEFAULT_PASSWORD})
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_page_refuses_members(client, user):
    response = client.post("/admin/login/", {"username": "mia", "password": DEFAULT_PASSWORD})
    assert "do not match an admin or manager account" in response.content.decode()
