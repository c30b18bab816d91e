"""Asking for a password reset link by email (`/reset/`), when email is set up (EMAIL_URL).

The request tells nothing. It answers the same page whatever was typed, and does the
same work whatever was typed: one count of its address's recent requests, one audit row
and one queued task. The task, in a worker, looks the account up and sends the mail, so
neither the answer nor its timing depends on whether an account matches or on how slow
the mail server is.

Limits, counted in the database so every process and host shares them (as accounts.signin
does): PASSWORD_RESET_LIMIT_PER_IP requests per client address (beyond it nothing is
queued) and PASSWORD_RESET_LIMIT links mailed per account (beyond it the task sends
nothing), within PASSWORD_RESET_WINDOW_SECONDS. A refusal answers the same page and is
recorded as `password_reset_throttled`.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from accounts.audit import audit_record, client_ip
from accounts.models import AuditAction, AuditEvent, PasswordResetLink, User
from accounts.passwords import RESET_LINK_HOURS, password_reset_by_email_enabled, password_reset_link_create
from accounts.validators import normalize_username

RESET_REQUESTED = gettext_noop(
    "If an account with an email address matches, a reset link is on its way. "
    "It works once, for %(hours)d hours."
)
RESET_BY_EMAIL_OFF = gettext_noop("Password reset by email is not set up.")
THROTTLED_PER_ADDRESS = "too many requests from this address"
THROTTLED_PER_ACCOUNT = "too many links mailed to this account"
MAIL_SUBJECT = "Your password reset link"
MAIL_BODY = (
    "Someone (hopefully you) asked to reset the password of {username}.\n\n"
    "Choose a new password here (the link works once, for {hours} hours):\n{link}\n\n"
    "If it was not you, ignore this message: your password stays as it is."
)


def _window_start():
    return timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_WINDOW_SECONDS)


def password_reset_request(*, request, username_or_email: str) -> None:
    """Queue the search for an account and its mail, unless this address asked too often.
    Returns nothing either way: the page says the same whatever happened."""
    if not password_reset_by_email_enabled():
        raise PermissionDenied(RESET_BY_EMAIL_OFF)
    value = username_or_email.strip()[:254]
    ip = client_ip(request)
    if ip is not None:
        asked = AuditEvent.objects.filter(
            action=AuditAction.PASSWORD_RESET_REQUESTED, ip_address=ip, created_at__gte=_window_start()
        )
        if asked.count() >= settings.PASSWORD_RESET_LIMIT_PER_IP:
            audit_record(AuditAction.PASSWORD_RESET_THROTTLED, request=request, username=value,
                         detail=THROTTLED_PER_ADDRESS)
            return
    audit_record(AuditAction.PASSWORD_RESET_REQUESTED, request=request, username=value)
    password_reset_mail.enqueue(username_or_email=value, site_url=request.build_absolute_uri("/"), ip=ip)


def _account_matching(value: str) -> User | None:
    """The account a username, or else an email address, names, if it may receive a link."""
    reachable = User.objects.filter(suspended=False).exclude(email="")
    user = reachable.filter(username=normalize_username(value)).first()
    if user is None and "@" in value:
        user = reachable.filter(email__iexact=value).order_by("pk").first()
    return user


def password_reset_mail_send(*, username_or_email: str, site_url: str, ip: str | None) -> str:
    """The task's work: mail a link to the account that matches, unless it has had its share
    within the window. Returns what happened: "no account", "throttled" or "sent"."""
    user = _account_matching(username_or_email)
    if user is None:
        return "no account"
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one count per account at a time
        mailed = PasswordResetLink.objects.filter(user=user, created_by=None, created_at__gte=_window_start())
        if mailed.count() >= settings.PASSWORD_RESET_LIMIT:
            audit_record(AuditAction.PASSWORD_RESET_THROTTLED, user=user, ip=ip, detail=THROTTLED_PER_ACCOUNT)
            return "throttled"
        token = password_reset_link_create(user=user, created_by=None, ip=ip)
        link = site_url.rstrip("/") + reverse("accounts:password_reset", kwargs={"token": token})
        body = MAIL_BODY.format(username=user.username, hours=RESET_LINK_HOURS, link=link)
        # Inside the transaction: a mail server that refuses fails the task and leaves no link behind
        # (nor a count against the limit); the person asks again.
        send_mail(MAIL_SUBJECT, body, None, [user.email])
    return "sent"


@task()
def password_reset_mail(*, username_or_email: str, site_url: str, ip: str | None) -> str:
    """Run by the worker (`manage.py ingestion_worker` takes every queued task)."""
    return password_reset_mail_send(username_or_email=username_or_email, site_url=site_url, ip=ip)
