"""The group mappings in the admin: admins map groups to roles, whoever manages a workspace's
members maps groups to it; every change is audited; the lists cost a fixed number of queries."""

import pytest

from accounts.group_sync import groups_apply
from accounts.models import AuditAction, AuditEvent, GroupRole
from tests.factories import GroupRoleFactory, GroupWorkspaceFactory, WorkspaceFactory
from workspaces.group_models import GroupWorkspace


def test_an_admin_maps_a_group_to_a_role_in_the_admin_and_it_is_audited(admin_client, admin_user):
    answer = admin_client.post("/admin/accounts/grouprole/add/", {"group": "team-leads", "role": "manager"})
    assert answer.status_code == 302
    assert GroupRole.objects.get(group="team-leads").role == "manager"
    assert AuditEvent.objects.filter(action=AuditAction.GROUP_MAPPING_CHANGED, user=admin_user,
                                     detail__contains="team-leads").exists()


def test_a_manager_cannot_see_or_add_group_role_mappings(manager_client):
    assert manager_client.get("/admin/accounts/grouprole/").status_code == 403
    assert manager_client.post("/admin/accounts/grouprole/add/", {"group": "x", "role": "admin"}).status_code == 403
    assert not GroupRole.objects.exists()


def test_a_manager_maps_a_group_to_a_workspace(manager_client, workspace):
    answer = manager_client.post("/admin/workspaces/groupworkspace/add/",
                                 {"group": "research", "workspace": workspace.pk, "role": "editor"})
    assert answer.status_code == 302
    assert GroupWorkspace.objects.get(group="research").workspace == workspace


def test_the_mapping_lists_cost_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    """list_select_related keeps the workspace column from costing a query per row."""
    for number in range(30):
        GroupWorkspaceFactory(workspace=WorkspaceFactory(name=f"W{number}"))
        GroupRoleFactory()
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/workspaces/groupworkspace/").status_code == 200
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/accounts/grouprole/").status_code == 200


@pytest.mark.django_db
def test_an_empty_groups_claim_never_demotes_the_last_admin(admin_user):
    GroupRoleFactory(group="docent-admins", role="admin")
    groups_apply(user=admin_user, groups=frozenset({"docent-admins"}), source="test")
    groups_apply(user=admin_user, groups=frozenset(), source="test")
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"
