"""A password set by a reset link, or chosen on an invite page, obeys the same sign-in rules as a
password typed on the sign-in page: the second factor, and single sign-on when it is required."""

import pytest
from django.test import Client

from accounts.models import User
from settings_app.services import setting_set
from tests.accounts.test_password_reset import NEW, NEW_PASSWORD, SET_PASSWORD_PATH, issue_link, open_link
from tests.accounts.test_second_factor import code_now, enrol
from tests.factories import InviteFactory

pytestmark = pytest.mark.django_db


def test_a_reset_of_an_account_with_an_authenticator_asks_for_a_code_before_signing_in(admin_client, user):
    owner_of_the_phone = Client()
    owner_of_the_phone.force_login(user)
    secret, _ = enrol(owner_of_the_phone)
    visitor = Client()
    open_link(visitor, issue_link(admin_client, user))
    answer = visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD)
    assert answer.status_code == 302 and answer["Location"] == "/login/two-factor/"
    assert "_auth_user_id" not in visitor.session
    user.refresh_from_db()
    assert user.check_password(NEW)
    signed = visitor.post("/login/two-factor/", {"code": code_now(secret)})
    assert signed.status_code == 302 and visitor.session["_auth_user_id"] == str(user.pk)


def test_with_single_sign_on_required_a_reset_sets_the_password_but_signs_nobody_in(admin_client, user, settings):
    settings.LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # a directory is set up: single sign-on is possible
    setting_set(label="sso_required", value=True)
    visitor = Client()
    open_link(visitor, issue_link(admin_client, user))
    answer = visitor.post(SET_PASSWORD_PATH, NEW_PASSWORD)
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "_auth_user_id" not in visitor.session


def test_with_single_sign_on_required_an_invite_makes_no_local_password_account(client, user, settings):
    settings.LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    setting_set(label="sso_required", value=True)
    invite = InviteFactory()
    answer = client.post(f"/invite/{invite.code}/", {"username": "newbie", "password1": NEW, "password2": NEW})
    assert answer.status_code == 200 and "single sign-on" in answer.content.decode()
    assert not User.objects.filter(username="newbie").exists()
