"""Two-factor for local accounts: setting up an authenticator app, the code step of signing in
(site and admin), recovery codes, the shared lockout and audit, and the staff requirement."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from accounts.second_factor import WRONG_CODE
from accounts.views_second_factor import SETUP_SECRET_KEY
from settings_app.services import setting_set
from tests.factories import DEFAULT_PASSWORD


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol(client) -> tuple[str, list[str]]:
    """Set up an authenticator app on the account page; its secret and the recovery codes."""
    page = client.get(reverse("accounts:second_factor"))
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    secret = client.session[SETUP_SECRET_KEY]
    done = client.post(reverse("accounts:second_factor"), {
        "action": "enable", "enable-password": DEFAULT_PASSWORD, "enable-code": code_now(secret),
    })
    assert done.status_code == 200, done.content[:500]
    codes = done.context["codes"]
    assert all(f"<code>{code}</code>" in done.content.decode() for code in codes)
    return secret, codes


@pytest.fixture
def enrolled(client, user):
    """`user` with an authenticator app, signed out again; its secret and recovery codes."""
    client.force_login(user)
    secret, codes = enrol(client)
    client.logout()
    return secret, codes


def password_step(client, username="mia", path="/login/", **extra):
    return client.post(path, {"username": username, "password": DEFAULT_PASSWORD, **extra})


def test_setting_up_needs_a_right_code_and_the_password_and_shows_recovery_codes_once(client, user):
    client.force_login(user)
    client.get(reverse("accounts:second_factor"))
    wrong = client.post(reverse("accounts:second_factor"), {
        "action": "enable", "enable-password": DEFAULT_PASSWORD, "enable-code": "000000x",
    })
    assert wrong.status_code == 400 and WRONG_CODE in wrong.content.decode()
    secret = client.session[SETUP_SECRET_KEY]
    no_password = client.post(reverse("accounts:second_factor"), {
        "action": "enable", "enable-password": "nope", "enable-code": code_now(secret),
    })
    assert no_password.status_code == 400
    _, codes = enrol(client)
    assert len(set(codes)) == 10
    assert "Recovery codes left: <strong>10</strong>" in client.get(reverse("accounts:second_factor")).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_ENABLED, user=user).exists()


def test_a_password_alone_no_longer_signs_in_and_the_code_does(client, user, enrolled):
    secret, _ = enrolled
    answer = password_step(client)
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:second_factor_sign_in")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("accounts:second_factor_sign_in"), {"code": "123456"})
    assert wrong.status_code == 400 and WRONG_CODE in wrong.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="mia", detail="second factor").exists()
    right = client.post(reverse("accounts:second_factor_sign_in"), {"code": code_now(secret)})
    assert right.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, user=user, detail="password+totp").exists()


def test_a_recovery_code_signs_in_once(client, user, enrolled):
    _, codes = enrolled
    password_step(client)
    assert client.post(reverse("accounts:second_factor_sign_in"), {"code": codes[0]}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, user=user, detail="password+recovery code").exists()
    client.logout()
    password_step(client)
    assert client.post(reverse("accounts:second_factor_sign_in"), {"code": codes[0]}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_toward_the_same_lockout_as_wrong_passwords(client, user, enrolled, settings):
    secret, _ = enrolled
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "mia", "password": "wrong"})
    password_step(client)
    client.post(reverse("accounts:second_factor_sign_in"), {"code": "111111"})  # the limit's last failure
    locked = client.post(reverse("accounts:second_factor_sign_in"), {"code": code_now(secret)})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client, user):
    answer = client.get(reverse("accounts:second_factor_sign_in"))
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:login")


def test_the_admin_sign_in_asks_for_the_code_too(client, admin_user):
    client.force_login(admin_user)
    secret, _ = enrol(client)
    client.logout()
    answer = password_step(client, "ada", "/admin/login/?next=/admin/", next="/admin/")
    assert answer["Location"] == reverse("accounts:second_factor_sign_in")
    assert client.get("/admin/").status_code == 302
    right = client.post(reverse("accounts:second_factor_sign_in"), {"code": code_now(secret)})
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_turning_it_off_needs_the_password(client, user, enrolled):
    client.force_login(user)
    refused = client.post(reverse("accounts:second_factor"), {"action": "disable", "disable-password": "nope"})
    assert refused.status_code == 400
    client.post(reverse("accounts:second_factor"), {"action": "disable", "disable-password": DEFAULT_PASSWORD})
    client.logout()
    assert password_step(client)["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_DISABLED, user=user).exists()


def test_when_required_staff_who_signed_in_by_password_must_set_it_up_first(client, manager_user, user):
    setting_set(label="second_factor_required_for_staff", value=True)
    password_step(client, "max")
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:second_factor")
    assert client.get("/admin/").status_code == 302
    assert "must set up an authenticator" in client.get(reverse("accounts:second_factor")).content.decode()
    enrol(client)
    assert client.get("/").status_code == 200
    client.logout()
    password_step(client)  # a member is not asked
    assert client.get("/").status_code == 200


def test_staff_who_signed_in_through_their_organisation_are_not_asked(client, manager_user):
    setting_set(label="second_factor_required_for_staff", value=True)
    manager_user.sign_in_method = "oidc:acme"
    client.force_login(manager_user)
    assert client.get("/").status_code == 200


def test_an_admin_turns_off_a_lost_second_factor_from_the_users_list(client, user, enrolled, admin_user):
    from accounts.second_factor import second_factor_enabled

    client.force_login(admin_user)
    client.post("/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]})
    assert not second_factor_enabled(user)
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_DISABLED, user=user, detail="by ada").exists()


def test_a_manager_cannot_turn_off_an_admins_second_factor(client, admin_user, manager_user):
    from django.core.exceptions import PermissionDenied

    from accounts.second_factor import second_factor_reset

    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=manager_user, user=admin_user)
