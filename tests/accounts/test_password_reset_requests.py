"""Asking for a password reset link by email: the request tells nothing, costs the same
whatever matches, sends no mail itself (a background task does) and is throttled per
account and per client address (issue 22, must-have 3)."""

import re
import statistics
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditAction, AuditEvent, PasswordResetLink, User
from accounts.reset_requests import RESET_REQUESTED
from tests.factories import UserFactory
from tests.ports import free_port
from tests.smtp_server import fake_smtp_server  # noqa: F401 (the smtp_server fixture)
from tests.task_worker import DATABASE_TASKS, run_worker

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-pass-42"
NEW_PASSWORD = {"password1": NEW, "password2": NEW}
NEUTRAL_ANSWER = RESET_REQUESTED % {"hours": 24}


@pytest.fixture
def email_on(settings):
    settings.EMAIL_URL = "smtp://mail.example.com:25"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def mia(user):
    user.email = "mia@example.com"
    user.save()
    return user


def ask(client, value: str, address: str = "192.0.2.10"):
    return client.post("/reset/", {"username_or_email": value}, REMOTE_ADDR=address)


def test_without_email_the_sign_in_page_points_to_an_admin_and_the_request_page_is_404(client, settings, user):
    settings.EMAIL_URL = ""
    assert "An administrator can send you a reset link" in client.get("/login/").content.decode()
    assert client.get("/reset/").status_code == 404
    assert client.post("/reset/", {"username_or_email": "mia"}).status_code == 404


def test_with_email_a_user_asks_for_a_link_and_receives_it(client, email_on, mia):
    assert "/reset/" in client.get("/login/").content.decode()
    response = client.post("/reset/", {"username_or_email": "MIA@example.com"}, follow=True)
    assert NEUTRAL_ANSWER in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    path = re.search(r"http://testserver(/reset/[A-Za-z0-9_-]+/)", mail.outbox[0].body).group(1)
    visitor = Client()
    assert visitor.get(path)["Location"] == "/reset/set-password/"
    assert visitor.post("/reset/set-password/", NEW_PASSWORD).status_code == 302
    assert User.objects.get(username="mia").check_password(NEW)


def test_the_request_page_answers_the_same_whether_or_not_the_account_exists(client, email_on, mia):
    known = ask(client, "mia")
    unknown = ask(client, "nobody")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def statements(value: str, client) -> list[str]:
    """The SQL a request runs, with the values it carried taken out."""
    with CaptureQueriesContext(connection) as captured:
        ask(client, value)
    return [re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", query["sql"]) for query in captured.captured_queries]


def test_the_request_runs_the_same_queries_whether_or_not_an_account_matches(client, email_on, mia, settings):
    """The account is looked up by the task, not by the request: the request's own work
    (throttle count, audit row, one queued task) is the same for any name typed."""
    settings.TASKS = DATABASE_TASKS
    client.get("/reset/")  # the first request of a process caches that setup is done
    known, unknown, no_email = statements("mia", client), statements("nobody", client), statements("x@y.z", client)
    assert known == unknown == no_email
    assert not any('"users"' in statement or "accounts_user" in statement for statement in known)
    assert DBTaskResult.objects.count() == 3


def test_the_request_only_queues_a_task_and_the_worker_sends_the_mail(client, email_on, mia, settings):
    settings.TASKS = DATABASE_TASKS
    response = ask(client, "mia")
    assert response.status_code == 302
    assert mail.outbox == [] and not PasswordResetLink.objects.exists()
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    assert PasswordResetLink.objects.filter(user=mia, created_by=None).count() == 1


def median_seconds(client, value: str, address: str, times: int = 3) -> float:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        assert ask(client, value, address).status_code == 302
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


@pytest.mark.slow
def test_with_a_slow_mail_server_the_answer_takes_no_longer_for_an_account_with_an_email(
    client, mia, settings, smtp_server
):
    """The attack: an SMTP server taking 0.3 s a reply made the answer for an account with an
    email address take about 2 s, against 11 ms for a name that matched nothing."""
    settings.EMAIL_URL = f"smtp://{smtp_server.host}:{smtp_server.port}"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.TASKS = DATABASE_TASKS
    settings.PASSWORD_RESET_LIMIT = 1  # one real mail is enough to see the worker send it
    known = median_seconds(client, "mia", "192.0.2.10")
    unknown = median_seconds(client, "nobody", "192.0.2.11")
    assert smtp_server.connections == 0
    assert known < smtp_server.delay and abs(known - unknown) < smtp_server.delay / 3
    run_worker()
    assert smtp_server.connections == settings.PASSWORD_RESET_LIMIT
    assert len(smtp_server.messages) == settings.PASSWORD_RESET_LIMIT
    assert all("To: mia@example.com" in message for message in smtp_server.messages)


def test_a_mail_server_that_is_down_fails_the_task_and_leaves_no_link(client, mia, settings):
    port = free_port()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{port}"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.TASKS = DATABASE_TASKS
    assert ask(client, "mia").status_code == 302
    run_worker()
    assert DBTaskResult.objects.get().status == "FAILED"
    assert not PasswordResetLink.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_ISSUED).exists()


def test_twenty_five_requests_for_one_account_send_no_more_mails_than_the_limit(client, email_on, mia, settings):
    """The attack: 25 requests sent 25 mails. From 25 addresses, so only the per-account limit applies."""
    for n in range(25):
        assert ask(client, "mia", f"198.51.100.{n + 1}").status_code == 302
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT
    answer = client.post("/reset/", {"username_or_email": "mia"}, REMOTE_ADDR="198.51.100.26", follow=True)
    assert NEUTRAL_ANSWER in answer.content.decode()  # the 26th: the same answer, and no mail
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT
    throttled = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_THROTTLED, user=mia)
    assert throttled.count() == 26 - settings.PASSWORD_RESET_LIMIT


def test_one_address_asking_for_many_accounts_is_throttled(client, email_on, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    for n in range(26):
        UserFactory(username=f"user{n}", email=f"user{n}@example.com")
    answers = {ask(client, f"user{n}", "203.0.113.5")["Location"] for n in range(26)}
    assert answers == {"/login/"}
    assert len(mail.outbox) == 5
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET_THROTTLED, ip_address="203.0.113.5"
    ).count() == 21
    ask(client, "user25", "203.0.113.6")
    assert len(mail.outbox) == 6  # another address is not held back


def test_a_throttled_request_queues_no_task(client, email_on, mia, settings):
    settings.TASKS = DATABASE_TASKS
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    for _ in range(4):
        ask(client, "mia")
    assert DBTaskResult.objects.count() == 2


def test_the_limits_count_only_the_window(client, email_on, mia, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.PASSWORD_RESET_LIMIT = 1
    ask(client, "mia")
    ask(client, "mia")
    assert len(mail.outbox) == 1
    past = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_WINDOW_SECONDS + 1)
    PasswordResetLink.objects.update(created_at=past)
    AuditEvent.objects.update(created_at=past)
    ask(client, "mia")
    assert len(mail.outbox) == 2


def test_a_suspended_account_or_one_without_email_gets_no_mail(client, email_on, mia):
    UserFactory(username="noemail", email="")
    UserFactory(username="gone", email="gone@example.com", suspended=True)
    for value in ("noemail", "gone", "gone@example.com", ""):
        ask(client, value)
    assert mail.outbox == []


def test_an_empty_or_overlong_value_is_a_form_error_not_a_500(client, email_on, user):
    assert client.post("/reset/", {"username_or_email": ""}).status_code == 200
    assert client.post("/reset/", {"username_or_email": "x" * 300}).status_code == 200
