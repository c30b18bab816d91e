from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.invites import INVITE_REVOKED, INVITE_USED_UP
from accounts.models import Invite, InviteStatus, User
from accounts.roles import Role
from tests.concurrency import at_once
from tests.factories import InviteFactory, UserFactory, WorkspaceFactory

SIGNUP = {"username": "Newbie", "password1": "a-long-enough-pass-1", "password2": "a-long-enough-pass-1"}

pytestmark = pytest.mark.django_db


def test_pending_invite_shows_who_invited_and_the_workspaces(client, admin_user, workspace):
    invite = InviteFactory(created_by=admin_user, workspaces=[workspace])
    body = client.get(f"/invite/{invite.code}/").content.decode()
    assert "ada" in body and "Research" in body
    assert 'name="password1"' in body


def test_claiming_creates_a_member_in_the_granted_workspaces_and_signs_them_in(client, workspace):
    other = WorkspaceFactory(name="Other")
    invite = InviteFactory(workspaces=[workspace, other])
    response = client.post(f"/invite/{invite.code}/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == other.get_absolute_url()  # the first by name
    newbie = User.objects.get(username="newbie")
    assert newbie.role == Role.DEFAULT
    assert set(newbie.workspaces.all()) == {workspace, other}
    assert set(newbie.memberships.values_list("role", flat=True)) == {"viewer"}
    invite.refresh_from_db()
    assert invite.status == InviteStatus.CLAIMED and invite.claimed_by == newbie and invite.claimed_at
    assert invite.use_count == 1 and newbie.invite == invite
    assert "Research" in client.get("/").content.decode()


def test_forged_fields_cannot_make_the_new_account_more_than_a_member(client):
    invite = InviteFactory()
    client.post(
        f"/invite/{invite.code}/",
        {**SIGNUP, "role": "admin", "suspended": "1", "is_staff": "on", "is_superuser": "on", "status": "pending"},
    )
    newbie = User.objects.get(username="newbie")
    assert newbie.role == Role.DEFAULT and not newbie.suspended and not newbie.is_staff


@pytest.mark.parametrize("status", [InviteStatus.CLAIMED, InviteStatus.DISABLED])
def test_used_or_disabled_invites_answer_410_and_create_nothing(client, status):
    invite = InviteFactory(status=status)
    message = INVITE_USED_UP if status == InviteStatus.CLAIMED else INVITE_REVOKED
    for response in (client.get(f"/invite/{invite.code}/"), client.post(f"/invite/{invite.code}/", SIGNUP)):
        assert response.status_code == 410
        assert message in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("code", ["unknown-code-that-is-long-enough", "short", "bad%20chars!!", "x" * 300])
def test_unknown_or_malformed_codes_answer_404(client, code):
    InviteFactory()
    assert client.post(f"/invite/{code}/", SIGNUP).status_code == 404
    assert not User.objects.filter(username="newbie").exists()


def test_signed_in_user_is_told_to_sign_out_first(member_client):
    invite = InviteFactory()
    response = member_client.get(f"/invite/{invite.code}/")
    assert response.status_code == 409
    assert "Sign out first" in response.content.decode()
    member_client.post(f"/invite/{invite.code}/", SIGNUP)
    invite.refresh_from_db()
    assert invite.status == InviteStatus.PENDING


def test_taken_username_is_a_form_error_and_keeps_the_invite(client):
    UserFactory(username="newbie")
    invite = InviteFactory()
    response = client.post(f"/invite/{invite.code}/", SIGNUP)
    assert response.status_code == 200
    assert "That username is taken" in response.content.decode()
    invite.refresh_from_db()
    assert invite.status == InviteStatus.PENDING


def test_weak_passwords_are_refused_by_djangos_validators(client):
    invite = InviteFactory()
    response = client.post(f"/invite/{invite.code}/", {**SIGNUP, "password1": "12345678", "password2": "12345678"})
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_claims_of_one_code_create_exactly_one_account():
    """Each claim runs on its own thread with its own database connection."""
    invite = InviteFactory()
    attempts = 10

    def claim(number):
        response = Client().post(f"/invite/{invite.code}/", {**SIGNUP, "username": f"racer{number}"})
        return response.status_code, response.content.decode()

    results = at_once(claim, attempts)

    assert User.objects.filter(username__startswith="racer").count() == 1
    invite.refresh_from_db()
    assert invite.status == InviteStatus.CLAIMED
    assert invite.claimed_by.username.startswith("racer")
    codes = sorted(code for code, _ in results)
    assert codes == [302] + [410] * (attempts - 1)
    assert all(INVITE_USED_UP in body for code, body in results if code == 410)


@pytest.mark.django_db(transaction=True)
def test_a_username_taken_in_a_race_gives_the_form_error_not_a_500():
    invites = [InviteFactory() for _ in range(6)]

    def claim(number):
        response = Client().post(f"/invite/{invites[number].code}/", SIGNUP)
        return response.status_code, response.content.decode()

    results = at_once(claim, len(invites))
    assert sorted(code for code, _ in results) == [200] * 5 + [302]
    assert all("That username is taken" in body for code, body in results if code == 200)
    assert User.objects.filter(username="newbie").count() == 1
    assert Invite.objects.filter(status=InviteStatus.CLAIMED).count() == 1


def test_admin_invites_list_shows_the_claim_link_uses_and_expiry(admin_client):
    pending = InviteFactory(max_uses=3, use_count=1, expires_at=timezone.now() + timedelta(days=7))
    claimer = UserFactory(username="claimer")
    InviteFactory(status=InviteStatus.CLAIMED, claimed_by=claimer, use_count=1)
    body = admin_client.get("/admin/accounts/invite/").content.decode()
    assert f"/invite/{pending.code}/" in body
    assert "1 of 3" in body and "1 of 1" in body and "Used up" in body and "never" in body
    assert timezone.localtime(pending.expires_at).strftime("%Y") in body


def test_admin_issues_several_invites_at_once_for_chosen_workspaces(admin_client, workspace):
    other = WorkspaceFactory(name="Other")
    WorkspaceFactory(name="Not chosen")
    response = admin_client.post(
        "/admin/workspaces/workspace/",
        {"action": "issue_invites", "_selected_action": [workspace.pk, other.pk], "count": "3", "max_uses": "2",
         "role": "editor", "expires_in_days": "7"},
    )
    assert response.status_code == 302  # reloading the result cannot issue another batch
    invites = Invite.objects.all()
    assert invites.count() == 3
    listed = admin_client.get(response["Location"]).content.decode()
    for invite in invites:
        assert set(invite.workspaces.all()) == {workspace, other}
        assert invite.max_uses == 2 and invite.role == "editor"
        assert timedelta(days=6) < invite.expires_at - timezone.now() <= timedelta(days=7)
        assert f"/invite/{invite.code}/" in listed
    assert Invite.objects.count() == 3


def test_a_users_admin_page_shows_their_workspaces_and_invites(admin_client, user, workspace):
    InviteFactory(created_by=user)
    body = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "Research" in body
    assert "invites issued" in body.lower()
