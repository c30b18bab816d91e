"""LDAP sign-in against a real directory (Debian's slapd, started by the tests): the same
admission rules, group mapping, lockout and audit as single sign-on."""

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, User
from accounts.sso import NO_ACCOUNT
from tests.factories import GroupRoleFactory, GroupWorkspaceFactory, WorkspaceFactory
from tests.ldap_server import add_person, ldap_directory, ldap_settings, set_group
from workspaces.models import WorkspaceUser

pytestmark = pytest.mark.slow  # a slapd process per test module


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    with ldap_directory(tmp_path_factory.mktemp("slapd")) as uri:
        lena = add_person(uri, "lena", "lena-directory-pw", "lena@acme.test")
        add_person(uri, "oskar", "oskar-directory-pw", "oskar@elsewhere.org")
        set_group(uri, "researchers", [lena])
        set_group(uri, "docent-managers", [lena])
        yield uri


@pytest.fixture(autouse=True)
def _directory_settings(settings, directory, admin_user):
    for name, value in ldap_settings(directory).items():
        setattr(settings, name, value)


def sign_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_directory_user_in_a_mapped_group_signs_in_with_the_directory_password(client, db):
    research = WorkspaceFactory(name="Research")
    GroupWorkspaceFactory(group="researchers", workspace=research, role="editor")
    GroupRoleFactory(group="docent-managers", role="manager")
    answer = sign_in(client, "lena", "lena-directory-pw")
    assert answer.status_code == 302 and answer["Location"] == "/"
    lena = User.objects.get(username="lena")
    assert (lena.role, lena.email, lena.has_usable_password()) == ("manager", "lena@acme.test", False)
    assert WorkspaceUser.objects.get(user=lena, workspace=research).role == "editor"
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, user=lena, detail="ldap").exists()


def test_leaving_a_directory_group_takes_away_what_it_gave_at_the_next_sign_in(client, db, directory):
    GroupWorkspaceFactory(group="researchers", workspace=WorkspaceFactory(name="Research"))
    GroupWorkspaceFactory(group="lawyers", workspace=WorkspaceFactory(name="Legal"))
    sign_in(client, "lena", "lena-directory-pw")
    lena = User.objects.get(username="lena")
    client.post(reverse("accounts:logout"))
    set_group(directory, "researchers", [])
    set_group(directory, "lawyers", ["uid=lena,ou=people,dc=example,dc=org"])
    try:
        assert sign_in(client, "lena", "lena-directory-pw").status_code == 302
        assert list(WorkspaceUser.objects.filter(user=lena).values_list("workspace__name", flat=True)) == ["Legal"]
    finally:
        set_group(directory, "researchers", ["uid=lena,ou=people,dc=example,dc=org"])


def test_a_directory_user_nothing_admits_is_refused_with_an_audit_row(client, db):
    answer = sign_in(client, "oskar", "oskar-directory-pw")
    assert answer.status_code == 200 and NO_ACCOUNT in answer.content.decode()
    assert not User.objects.filter(username="oskar").exists()
    assert AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED, username="oskar@elsewhere.org").exists()


def test_a_wrong_directory_password_is_a_failed_sign_in_that_counts_toward_the_lockout(client, db, settings):
    GroupWorkspaceFactory(group="researchers", workspace=WorkspaceFactory(name="Research"))
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert "do not match" in sign_in(client, "lena", "wrong").content.decode()
    locked = sign_in(client, "lena", "lena-directory-pw")
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_suspended_account_stays_out_even_with_the_right_directory_password(client, db):
    GroupWorkspaceFactory(group="researchers", workspace=WorkspaceFactory(name="Research"))
    sign_in(client, "lena", "lena-directory-pw")
    client.post(reverse("accounts:logout"))
    User.objects.filter(username="lena").update(suspended=True)
    answer = sign_in(client, "lena", "lena-directory-pw")
    assert "suspended" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_directory_that_does_not_answer_is_a_plain_failed_sign_in(client, db, settings):
    settings.AUTH_LDAP_SERVER_URI = settings.LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    answer = sign_in(client, "lena", "lena-directory-pw")
    assert answer.status_code == 200 and "do not match" in answer.content.decode()
