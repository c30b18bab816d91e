"""Issue 11, re-run as tests: no lockout by strangers, no timing or message oracle on sign-in
or on the invite page, and invites stop working with their issuer."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.invite_throttle import INVITE_THROTTLED
from accounts.invites import INVITE_REVOKED
from accounts.models import AuditAction, AuditEvent, InviteStatus, User
from accounts.roles import Role
from accounts.services import USERNAME_TAKEN
from tests.factories import DEFAULT_PASSWORD, AdminFactory, InviteFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

STRANGER, OWNER = "203.0.113.66", "198.51.100.7"
LOCKED_TEXT = "Too many failed sign-ins"


@pytest.mark.parametrize("page", ["/login/", "/admin/login/"])
def test_a_strangers_failures_never_lock_the_owner_out_from_another_address(settings, page):
    settings.LOGIN_FAILURE_LIMIT = 5
    AdminFactory(username="ada")
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(12):
        stranger.post(page, {"username": "ADA", "password": "wrong-guess-123"})
    # The stranger's pair is locked, even with the right password…
    locked = stranger.post(page, {"username": "ada", "password": DEFAULT_PASSWORD})
    assert LOCKED_TEXT in locked.content.decode()
    assert "_auth_user_id" not in stranger.session
    # …but the owner, elsewhere, signs in at once.
    owner = Client(REMOTE_ADDR=OWNER)
    response = owner.post(page, {"username": "ada", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(User.objects.get(username="ada").pk)


def test_an_address_trying_many_usernames_is_locked_for_all_of_them_and_only_that_address(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 6
    UserFactory(username="mia")
    stranger = Client(REMOTE_ADDR=STRANGER)
    for number in range(6):
        stranger.post("/login/", {"username": f"guess{number}", "password": "wrong-guess-123"})
    right = {"username": "mia", "password": DEFAULT_PASSWORD}
    assert LOCKED_TEXT in stranger.post("/login/", right).content.decode()
    assert Client(REMOTE_ADDR=OWNER).post("/login/", right).status_code == 302


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, as the suite uses) that counts every hash it computes."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt).replace("md5$", f"{self.algorithm}$", 1)

    def decode(self, encoded):
        return super().decode(encoded.replace(f"{self.algorithm}$", "md5$", 1))

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        return self.encode(password, decoded["salt"]) == encoded


@pytest.mark.parametrize(
    ("username", "password", "case"),
    [
        ("nobody", "wrong-guess-123", "unknown user"),
        ("mia", "wrong-guess-123", "wrong password"),
        ("mia", DEFAULT_PASSWORD, "right password"),
        ("sam", "wrong-guess-123", "suspended, wrong password"),
        ("sam", DEFAULT_PASSWORD, "suspended, right password"),
    ],
)
@pytest.mark.parametrize("page", ["/login/", "/admin/login/"])
def test_every_sign_in_path_costs_exactly_one_password_hash(client, settings, page, username, password, case):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    UserFactory(username="mia", role=Role.MANAGER)
    UserFactory(username="sam", role=Role.MANAGER, suspended=True)
    CountingHasher.calls = 0
    client.post(page, {"username": username, "password": password})
    assert CountingHasher.calls == 1, case


def claim(client, invite, username):
    return client.post(
        f"/invite/{invite.code}/",
        {"username": username, "password1": "a-long-enough-pass-1", "password2": "a-long-enough-pass-1"},
    )


def test_the_invite_page_stops_answering_username_taken_after_the_limit_per_code(settings):
    settings.INVITE_FAILURE_LIMIT = 3
    UserFactory(username="mia")
    invite = InviteFactory()
    prober = Client(REMOTE_ADDR=STRANGER)
    for _ in range(3):
        response = claim(prober, invite, "mia")
        assert response.status_code == 200 and USERNAME_TAKEN in response.content.decode()
    for username in ("mia", "someone-new"):
        response = claim(Client(REMOTE_ADDR=OWNER), invite, username)  # the code is throttled, from anywhere
        assert response.status_code == 429
        body = response.content.decode()
        assert INVITE_THROTTLED % {"minutes": 15} in body and USERNAME_TAKEN not in body
    refused = AuditEvent.objects.filter(action=AuditAction.INVITE_REFUSED)
    assert refused.count() == 3 and set(refused.values_list("ip_address", flat=True)) == {STRANGER}
    assert User.objects.count() == 2  # mia and the invite's issuer: nobody was created


def test_the_invite_page_stops_answering_username_taken_after_the_limit_per_address(settings):
    settings.INVITE_FAILURE_LIMIT_PER_IP = 4
    UserFactory(username="mia")
    invites = [InviteFactory() for _ in range(5)]
    prober = Client(REMOTE_ADDR=STRANGER)
    for invite in invites[:4]:
        assert claim(prober, invite, "mia").status_code == 200
    assert claim(prober, invites[4], "mia").status_code == 429
    # The same fresh code still works for someone at another address.
    assert claim(Client(REMOTE_ADDR=OWNER), invites[4], "newbie").status_code == 302


@pytest.mark.parametrize("change", ["suspend", "delete", "demote"])
def test_an_invite_stops_working_when_its_issuer_is_suspended_deleted_or_no_longer_staff(client, change):
    AdminFactory(username="ada")  # past first-run setup whatever happens to the issuer
    issuer = ManagerFactory(username="max")
    invite = InviteFactory(created_by=issuer)
    if change == "suspend":
        User.objects.filter(pk=issuer.pk).update(suspended=True)
    elif change == "delete":
        issuer.delete()
    else:
        User.objects.filter(pk=issuer.pk).update(role=Role.DEFAULT)
    page = client.get(f"/invite/{invite.code}/")
    assert page.status_code == 410 and INVITE_REVOKED in page.content.decode()
    response = claim(client, invite, "newbie")
    assert response.status_code == 410
    assert not User.objects.filter(username="newbie").exists()
    invite.refresh_from_db()
    assert invite.status == InviteStatus.PENDING
