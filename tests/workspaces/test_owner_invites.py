"""An owner's invite links: issued on the site for their workspace, claimed by a newcomer through
the same race-proof claim as the admin's links, revoked, and void once the issuer may no longer grant them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.invites import INVITE_REVOKED, INVITE_USED_UP, InviteUnavailable, invite_claim
from accounts.models import AuditAction, AuditEvent, Invite
from tests.factories import InviteFactory, UserFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces.invites import (
    ROLE_ABOVE_OWN,
    USES_OUT_OF_RANGE,
    InviteRefused,
    workspace_invite_issue,
    workspace_invite_revoke,
)
from workspaces.models import WorkspaceUser

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-pass-1"


def invites_url(workspace):
    return f"/w/{workspace.slug}/invites/"


def test_an_owner_issues_a_link_and_a_newcomer_joins_the_workspace_with_its_role(owner_client, client, workspace):
    response = owner_client.post(invites_url(workspace), {"role": "editor", "max_uses": 1, "expires_in_days": "7"})
    assert response.status_code == 302
    invite = Invite.objects.get()
    assert list(invite.workspaces.all()) == [workspace] and invite.role == "editor"
    assert timedelta(days=6, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=7)
    page = owner_client.get(response["Location"]).content.decode()
    assert f"/invite/{invite.code}/" in page and "Invite link created" in page

    client.logout()
    joined = client.post(f"/invite/{invite.code}/", {"username": "newbie", "password1": PASSWORD,
                                                     "password2": PASSWORD})
    assert joined.status_code == 302 and joined["Location"] == f"/w/{workspace.slug}/"
    assert WorkspaceUser.objects.get(user__username="newbie", workspace=workspace).role == "editor"
    claimed = AuditEvent.objects.get(action=AuditAction.INVITE_CLAIMED)
    assert claimed.workspace == workspace and claimed.username == "newbie"


def test_a_link_with_two_uses_lets_two_people_in_and_then_says_it_is_used_up(owner, workspace):
    invite = workspace_invite_issue(actor=owner, workspace=workspace, role="viewer", max_uses=2, expires_in_days=None)
    assert invite.expires_at is None
    for name in ("ann", "ben"):
        invite_claim(code=invite.code, username=name, password=PASSWORD)
    with pytest.raises(InviteUnavailable, match=INVITE_USED_UP):
        invite_claim(code=invite.code, username="cat", password=PASSWORD)
    assert set(workspace.members.values_list("username", flat=True)) == {"olga", "ann", "ben"}


def test_a_revoked_link_no_longer_works(owner_client, owner, workspace):
    invite = workspace_invite_issue(actor=owner, workspace=workspace, role="viewer")
    response = owner_client.post(f"/w/{workspace.slug}/invites/{invite.pk}/revoke/")
    assert response.status_code == 302
    assert "Invite link revoked" in owner_client.get(response["Location"]).content.decode()
    with pytest.raises(InviteUnavailable, match=INVITE_REVOKED):
        invite_claim(code=invite.code, username="late", password=PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.INVITE_REVOKED, workspace=workspace).exists()


def test_an_owners_link_stops_working_once_they_are_no_longer_owner(owner, workspace):
    invite = workspace_invite_issue(actor=owner, workspace=workspace, role="editor")
    WorkspaceUser.objects.filter(user=owner, workspace=workspace).update(role="viewer")
    with pytest.raises(InviteUnavailable, match=INVITE_REVOKED):
        invite_claim(code=invite.code, username="late", password=PASSWORD)
    assert not WorkspaceUser.objects.filter(user__username="late").exists()


def test_an_expired_owners_link_is_refused(owner, workspace):
    invite = workspace_invite_issue(actor=owner, workspace=workspace, role="viewer", expires_in_days=1)
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InviteUnavailable, match="expired"):
        invite_claim(code=invite.code, username="late", password=PASSWORD)


def test_an_editor_may_not_issue_links_nor_open_the_page(client, workspace):
    editor = UserFactory(username="eddie")
    WorkspaceUserFactory(user=editor, workspace=workspace, role="editor")
    with pytest.raises(InviteRefused):
        workspace_invite_issue(actor=editor, workspace=workspace, role="viewer")
    client.force_login(editor)
    assert client.get(invites_url(workspace)).status_code == 403
    assert client.post(invites_url(workspace), {"role": "viewer", "max_uses": 1}).status_code == 403
    assert not Invite.objects.exists()


def test_a_role_that_is_no_workspace_role_or_too_many_uses_is_refused(owner, workspace):
    with pytest.raises(InviteRefused, match=ROLE_ABOVE_OWN):
        workspace_invite_issue(actor=owner, workspace=workspace, role="admin")
    with pytest.raises(InviteRefused, match=USES_OUT_OF_RANGE):
        workspace_invite_issue(actor=owner, workspace=workspace, role="viewer", max_uses=501)


def test_bad_form_input_is_an_inline_error(owner_client, workspace):
    response = owner_client.post(invites_url(workspace), {"role": "viewer", "max_uses": 0, "expires_in_days": "7"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Invite.objects.exists()


def test_the_owner_sees_and_revokes_only_links_that_grant_their_workspace_alone(owner, owner_client, workspace):
    elsewhere = WorkspaceFactory(name="Elsewhere")
    shared = InviteFactory(workspaces=[workspace, elsewhere])
    own = workspace_invite_issue(actor=owner, workspace=workspace, role="viewer")
    body = owner_client.get(invites_url(workspace)).content.decode()
    assert f"invite-{own.pk}" in body and f"invite-{shared.pk}" not in body
    assert workspace_invite_revoke(actor=owner, workspace=workspace, invite_id=shared.pk) == 0
    shared.refresh_from_db()
    assert shared.status == "pending"


def test_the_invite_list_costs_a_fixed_number_of_queries(owner, owner_client, workspace,
                                                         django_assert_max_num_queries):
    """Issuer and claimant come with each invite (select_related), not a query per row."""
    for _ in range(3):
        workspace_invite_issue(actor=owner, workspace=workspace, role="viewer")
    with django_assert_max_num_queries(12) as few:
        owner_client.get(invites_url(workspace))
    for _ in range(15):
        workspace_invite_issue(actor=owner, workspace=workspace, role="viewer")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = owner_client.get(invites_url(workspace)).content.decode()
    assert body.count('class="invite-url"') == 18
