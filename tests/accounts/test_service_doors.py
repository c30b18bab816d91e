"""Every account rule holds when its service is called directly (a command, a task, an API),
and refuses with the same words the page shows."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.invites import invite_claim
from accounts.models import AuditAction, AuditEvent, User
from accounts.services import USERNAME_TAKEN, setup_create_first_admin
from accounts.signin import INVALID_LOGIN, LOCKED_OUT, SUSPENDED_MESSAGE, SignInRefused, sign_in_check
from accounts.validators import username_validators
from tests.factories import DEFAULT_PASSWORD, InviteFactory, UserFactory

pytestmark = pytest.mark.django_db

USERNAME_RULE = str(username_validators[-1].message)  # translatable: the English text in tests
GOOD_PASSWORD = "a-long-enough-pass-1"


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def page_errors(client, url, username, password) -> str:
    response = client.post(url, {"username": username, "password1": password, "password2": password})
    assert response.status_code == 200
    return response.content.decode()


def test_invite_claim_refuses_a_bad_username_as_the_invite_page_does(client):
    invite = InviteFactory()
    errors = errors_of(lambda: invite_claim(code=invite.code, username="  Bad Name!! ", password=GOOD_PASSWORD))
    assert errors == {"username": [USERNAME_RULE]}
    assert USERNAME_RULE in page_errors(client, f"/invite/{invite.code}/", "  Bad Name!! ", GOOD_PASSWORD)
    assert not User.objects.filter(username__contains="bad").exists()


def test_invite_claim_runs_the_password_validators(client):
    invite = InviteFactory()
    errors = errors_of(lambda: invite_claim(code=invite.code, username="newbie", password="1"))
    assert list(errors) == ["password"]
    body = page_errors(client, f"/invite/{invite.code}/", "newbie", "1")
    assert all(message in body for message in errors["password"])
    assert not User.objects.filter(username="newbie").exists()


def test_invite_claim_refuses_a_taken_username_and_leaves_the_invite_pending():
    UserFactory(username="mia")
    invite = InviteFactory()
    assert errors_of(lambda: invite_claim(code=invite.code, username="MIA", password=GOOD_PASSWORD)) == {
        "username": [USERNAME_TAKEN]
    }
    invite.refresh_from_db()
    assert invite.status == "pending"


def test_invite_claim_records_the_claim_in_the_audit_trail_with_the_address():
    invite = InviteFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    user = invite_claim(code=invite.code, username="newbie", password=GOOD_PASSWORD, request=request)
    event = AuditEvent.objects.get(action=AuditAction.INVITE_CLAIMED)
    assert (event.user, event.ip_address) == (user, "10.1.2.3")


def test_first_run_setup_refuses_a_bad_username_and_a_weak_password():
    errors = errors_of(lambda: setup_create_first_admin(username="9lives", password="1"))
    assert set(errors) == {"username", "password"}
    assert not User.objects.exists()


def sign_in(username, password, ip="10.0.0.1"):
    return sign_in_check(request=RequestFactory().post("/login/", REMOTE_ADDR=ip), username=username, password=password)


def test_sign_in_service_locks_out_and_audits_like_the_sign_in_page(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    mia = UserFactory(username="mia")
    for _ in range(2):
        with pytest.raises(SignInRefused) as refused:
            sign_in("Mia", "wrong-guess")
        assert refused.value.message == INVALID_LOGIN
    with pytest.raises(SignInRefused) as refused:
        sign_in("mia", DEFAULT_PASSWORD)
    assert refused.value.code == "locked_out"
    assert refused.value.message == LOCKED_OUT % {"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60}
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN_LOCKED]
    assert sign_in("mia", DEFAULT_PASSWORD, ip="10.9.9.9") == mia


def test_sign_in_service_names_suspension_only_after_the_right_password():
    UserFactory(username="sam", suspended=True)
    with pytest.raises(SignInRefused) as wrong:
        sign_in("sam", "wrong-guess")
    with pytest.raises(SignInRefused) as right:
        sign_in("sam", DEFAULT_PASSWORD)
    assert (wrong.value.message, right.value.message) == (INVALID_LOGIN, SUSPENDED_MESSAGE)
