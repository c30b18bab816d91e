"""Invites with several uses, an expiry, a role per workspace and revocation."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from accounts.base import DocentError
from accounts.invites import INVITE_EXPIRED, INVITE_REVOKED, INVITE_USED_UP, invites_issue
from accounts.models import INVITE_EXPIRY_PAST, Invite, InviteStatus, User
from settings_app.services import setting_set
from tests.concurrency import at_once
from tests.factories import InviteFactory, ManagerFactory, WorkspaceFactory, WorkspaceUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-1"


def signup(username):
    return {"username": username, "password1": PASSWORD, "password2": PASSWORD}


def test_a_three_use_invite_with_a_week_to_run_works_three_times_then_says_it_is_used_up(workspace):
    invite = InviteFactory(workspaces=[workspace], max_uses=3, expires_at=timezone.now() + timedelta(days=7))
    for number in range(3):
        response = Client().post(f"/invite/{invite.code}/", signup(f"person{number}"))
        assert response.status_code == 302 and response["Location"] == workspace.get_absolute_url()
    response = Client().get(f"/invite/{invite.code}/")
    assert response.status_code == 410
    body = response.content.decode()
    assert INVITE_USED_UP in body and "used up" in body
    invite.refresh_from_db()
    assert invite.use_count == 3 and invite.status == InviteStatus.CLAIMED
    assert set(invite.claimants.values_list("username", flat=True)) == {"person0", "person1", "person2"}


def test_an_expired_invite_says_so_and_creates_nothing(client):
    invite = InviteFactory(max_uses=5, expires_at=timezone.now() - timedelta(minutes=1))
    for response in (client.get(f"/invite/{invite.code}/"), client.post(f"/invite/{invite.code}/", signup("late"))):
        assert response.status_code == 410
        assert INVITE_EXPIRED in response.content.decode()
    assert not User.objects.filter(username="late").exists()


def test_a_revoked_invite_says_so(admin_client, client):
    invite = InviteFactory(max_uses=5)
    admin_client.post("/admin/accounts/invite/", {"action": "disable_invites", "_selected_action": [invite.pk]})
    response = client.get(f"/invite/{invite.code}/")
    assert response.status_code == 410 and INVITE_REVOKED in response.content.decode()


def test_the_invite_grants_its_role_in_each_workspace_and_lands_in_the_first(client):
    beta, alpha = WorkspaceFactory(name="Beta"), WorkspaceFactory(name="Alpha")
    invite = InviteFactory(workspaces=[beta, alpha], role="editor")
    page = client.get(f"/invite/{invite.code}/").content.decode()
    assert "as <strong>editor</strong>" in page
    response = client.post(f"/invite/{invite.code}/", signup("eddie"))
    assert response["Location"] == alpha.get_absolute_url()
    eddie = User.objects.get(username="eddie")
    assert dict(eddie.memberships.values_list("workspace__name", "role")) == {"Alpha": "editor", "Beta": "editor"}
    assert client.get(response["Location"]).status_code == 200


def test_an_invite_without_workspaces_lands_on_the_home_page(client):
    invite = InviteFactory()
    assert client.post(f"/invite/{invite.code}/", signup("homer"))["Location"] == "/"


@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_claims_of_a_three_use_invite_create_exactly_three_accounts():
    """Each claim on its own thread with its own database connection (SQLite and PostgreSQL)."""
    invite = InviteFactory(max_uses=3)
    codes = at_once(lambda number: Client().post(f"/invite/{invite.code}/", signup(f"racer{number}")).status_code, 12)

    assert User.objects.filter(username__startswith="racer").count() == 3
    assert sorted(codes) == [302] * 3 + [410] * 9
    invite = Invite.objects.get(pk=invite.pk)
    assert invite.use_count == 3 and invite.status == InviteStatus.CLAIMED


def test_the_database_refuses_more_uses_than_allowed():
    invite = InviteFactory(max_uses=2)
    with pytest.raises(IntegrityError):
        Invite.objects.filter(pk=invite.pk).update(use_count=3)


def test_the_admin_add_form_offers_workspaces_as_checkboxes_and_the_new_fields(admin_client, workspace):
    body = admin_client.get("/admin/accounts/invite/add/").content.decode()
    assert 'type="checkbox" name="workspaces"' in body
    assert 'name="max_uses"' in body and 'name="expires_at_0"' in body and 'name="role"' in body
    assert "id_workspaces_from" not in body  # no two-list widget


def test_a_manager_limited_to_owned_workspaces_invites_only_to_those(client, workspace):
    setting_set(label="manager_scope", value="owned")
    manager = ManagerFactory(username="max")
    owned = WorkspaceFactory(name="Owned")
    WorkspaceUserFactory(user=manager, workspace=owned, role="owner")
    mine = InviteFactory(workspaces=[owned])
    theirs = InviteFactory(workspaces=[workspace])
    client.force_login(manager)
    body = client.get("/admin/accounts/invite/add/").content.decode()
    assert "Owned" in body and "Research" not in body
    listed = client.get("/admin/accounts/invite/").content.decode()
    assert mine.code in listed and theirs.code not in listed


def test_an_expiry_in_the_past_is_refused_on_the_field_and_nothing_is_issued(admin_client, workspace):
    yesterday = timezone.localtime() - timedelta(days=1)
    response = admin_client.post("/admin/accounts/invite/add/", {
        "workspaces": [workspace.pk], "role": "viewer", "max_uses": "1",
        "expires_at_0": yesterday.strftime("%Y-%m-%d"), "expires_at_1": yesterday.strftime("%H:%M:%S"),
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_at"] == [INVITE_EXPIRY_PAST]
    assert "New: pending once saved" in response.content.decode()  # not "Expired": nothing was issued
    assert not Invite.objects.exists()
    with pytest.raises(DocentError, match="in the future"):
        invites_issue(created_by=None, workspaces=[workspace], expires_at=yesterday)
    assert not Invite.objects.exists()


def test_an_invite_that_has_expired_can_still_have_its_other_fields_edited(admin_client, workspace):
    invite = InviteFactory(expires_at=timezone.now() - timedelta(days=2), max_uses=1)
    invite.workspaces.set([workspace])
    when = timezone.localtime(invite.expires_at)
    response = admin_client.post(f"/admin/accounts/invite/{invite.pk}/change/", {
        "workspaces": [workspace.pk], "role": "editor", "max_uses": "3",
        "expires_at_0": when.strftime("%Y-%m-%d"), "expires_at_1": when.strftime("%H:%M:%S.%f"),
    })
    assert response.status_code == 302
    invite.refresh_from_db()
    assert invite.max_uses == 3 and invite.role == "editor"
