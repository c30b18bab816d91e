"""Everything an admin or owner changes is audited by the service that changes it (issue 22,
must-have 7): who, and from → to, whichever door was used (the site, the admin, a service call)."""

import pytest

from accounts.models import AuditAction, AuditEvent, Invite
from settings_app.services import setting_set
from tests.accounts.test_admin_roles import change_post
from tests.factories import InviteFactory, UserFactory, WorkspaceFactory
from workspaces.models import Workspace, WorkspaceUser
from workspaces.services import workspace_update

pytestmark = pytest.mark.django_db


def events(action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def only_event(action) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, [event.detail for event in found]
    return found[0]


def test_an_owners_settings_change_is_audited_from_to_and_a_long_prompt_only_as_changed(workspace, admin_user):
    workspace_update(actor=admin_user, workspace=workspace, top_n=2, chat_mode="query", system_prompt="x" * 900)
    event = only_event(AuditAction.WORKSPACE_CHANGED)
    assert event.username == "ada"
    assert "Research:" in event.detail and "top_n 4 → 2" in event.detail and "chat_mode chat → query" in event.detail
    assert "system_prompt changed" in event.detail and "xxx" not in event.detail


def test_members_added_re_roled_and_removed_on_the_site_are_audited(owner_client, workspace):
    UserFactory(username="nina")
    owner_client.post(f"/w/{workspace.slug}/members/", {"username": "nina", "role": "viewer"})
    membership = WorkspaceUser.objects.get(user__username="nina")
    owner_client.post(f"/w/{workspace.slug}/members/{membership.pk}/", {"role": "editor"})
    owner_client.post(f"/w/{workspace.slug}/members/{membership.pk}/", {"remove": "1"})
    assert only_event(AuditAction.MEMBER_ADDED).detail == "Research: nina as viewer"
    assert only_event(AuditAction.MEMBER_ROLE_CHANGED).detail == "Research: nina viewer → editor"
    removed = only_event(AuditAction.MEMBER_REMOVED)
    assert removed.detail == "Research: nina (was editor)" and removed.username == "olga"


def test_members_changed_in_the_workspace_admin_are_audited(admin_client, workspace, user):
    nina = UserFactory(username="nina")
    membership = workspace.memberships.get(user=user)
    form = admin_client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data.update({
        "memberships-TOTAL_FORMS": 2, "memberships-INITIAL_FORMS": 1,
        "memberships-0-id": membership.pk, "memberships-0-workspace": workspace.pk, "memberships-0-user": user.pk,
        "memberships-0-role": "owner",
        "memberships-1-workspace": workspace.pk, "memberships-1-user": nina.pk, "memberships-1-role": "viewer",
    })
    response = admin_client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", data)
    assert response.status_code == 302
    assert only_event(AuditAction.MEMBER_ROLE_CHANGED).detail == "Research: mia viewer → owner"
    assert only_event(AuditAction.MEMBER_ADDED).detail == "Research: nina as viewer"
    assert set(workspace.memberships.values_list("user__username", "role")) == {("mia", "owner"), ("nina", "viewer")}


def test_a_membership_removed_on_a_users_admin_page_is_audited(admin_client, user, workspace):
    membership = workspace.memberships.get(user=user)
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", change_post(user, **{
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-0-id": membership.pk,
        "memberships-0-user": user.pk, "memberships-0-workspace": workspace.pk, "memberships-0-role": "viewer",
        "memberships-0-DELETE": "on",
    }))
    assert response.status_code == 302
    assert not WorkspaceUser.objects.filter(pk=membership.pk).exists()
    assert only_event(AuditAction.MEMBER_REMOVED).username == "ada"


def test_workspaces_created_and_deleted_in_the_admin_are_audited(admin_client):
    response = admin_client.post("/admin/workspaces/workspace/add/", {
        "name": "Legal", "description": "", "chat_mode": "chat", "history_length": 20, "top_n": 4,
        "similarity_threshold": 0.25, "semantic_weight": 0.5, "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    legal = Workspace.objects.get(name="Legal")
    admin_client.post(f"/admin/workspaces/workspace/{legal.pk}/delete/", {"post": "yes"})
    assert only_event(AuditAction.WORKSPACE_CREATED).detail == "Legal"
    assert only_event(AuditAction.WORKSPACE_DELETED).detail.startswith("Legal:")


def test_a_system_setting_change_is_audited_from_to_by_whoever_changed_it(admin_client):
    from settings_app.models import SystemSetting

    setting_set(label="max_upload_mb", value=25)
    row = SystemSetting.objects.get(label="max_upload_mb")
    response = admin_client.post(f"/admin/settings_app/systemsetting/{row.pk}/change/", {"value": "40"})
    assert response.status_code == 302
    first, second = events(AuditAction.SETTING_CHANGED)
    assert (first.username, first.detail) == ("system", "max_upload_mb: (default) → 25")
    assert (second.username, second.detail) == ("ada", "max_upload_mb: 25 → 40")


def test_invites_issued_changed_and_revoked_in_the_admin_are_audited_without_their_code(admin_client, workspace):
    admin_client.post("/admin/accounts/invite/add/", {"workspaces": [workspace.pk], "role": "viewer",
                                                      "max_uses": "1"})
    invite = Invite.objects.get()
    admin_client.post(f"/admin/accounts/invite/{invite.pk}/change/", {"workspaces": [workspace.pk], "role": "owner",
                                                                       "max_uses": "1"})
    admin_client.post("/admin/accounts/invite/", {"action": "disable_invites", "_selected_action": [invite.pk]})
    issued, changed, revoked = (only_event(action) for action in (
        AuditAction.INVITE_ISSUED, AuditAction.INVITE_CHANGED, AuditAction.INVITE_REVOKED))
    assert issued.detail == f"invite {invite.pk}: viewer in Research; 1 use(s); expires never"
    assert changed.detail.startswith(f"invite {invite.pk} (role changed): owner in Research")
    assert revoked.username == "ada"
    assert all(invite.code[:8] not in event.detail for event in (issued, changed, revoked))


def test_invites_issued_in_a_batch_are_each_audited(admin_client, workspace):
    admin_client.post("/admin/workspaces/workspace/", {
        "action": "issue_invites", "_selected_action": [workspace.pk], "count": "3", "max_uses": "1",
        "role": "viewer",
    })
    assert len(events(AuditAction.INVITE_ISSUED)) == 3


def test_revoking_an_already_used_invite_records_nothing(admin_client):
    used = InviteFactory(status="claimed")
    admin_client.post("/admin/accounts/invite/", {"action": "disable_invites", "_selected_action": [used.pk]})
    assert events(AuditAction.INVITE_REVOKED) == []


def test_role_changes_user_creation_and_deletion_in_the_admin_are_audited(admin_client):
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "newman", "role": "default", "password1": "a-long-pass-phrase-1", "password2":
        "a-long-pass-phrase-1",
    })
    assert response.status_code == 302
    newman = only_event(AuditAction.USER_CREATED)
    assert newman.username == "newman" and newman.detail == "as default by ada"
    user = newman.user
    admin_client.post(f"/admin/accounts/user/{user.pk}/change/", change_post(user, role="manager"))
    assert only_event(AuditAction.ROLE_CHANGED).detail == "default → manager by ada"
    admin_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert only_event(AuditAction.USER_DELETED).username == "newman"


def test_a_workspace_saved_unchanged_in_the_admin_records_nothing(admin_client):
    workspace = WorkspaceFactory(name="Quiet")
    form = admin_client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    assert admin_client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", data).status_code == 302
    assert not AuditEvent.objects.filter(action__in=[AuditAction.WORKSPACE_CHANGED,
                                                     AuditAction.PRIVATE_CHATS_CHANGED]).exists()


def test_the_workspace_admin_does_not_offer_suspended_users_as_new_members(admin_client, workspace, user):
    UserFactory(username="gone", suspended=True)
    form = admin_client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").context["inline_admin_formsets"]
    choices = {user.username for user in form[0].formset.form.base_fields["user"].queryset}
    assert "gone" not in choices and "mia" in choices
