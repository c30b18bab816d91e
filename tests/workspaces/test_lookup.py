"""A workspace page's first query is written out in SQL (workspaces.lookup): it gives the workspace and
role the ORM query it stands for gives, and who may see the page is still the permission module's answer."""

import pytest

from accounts.roles import WorkspaceRole
from settings_app.services import setting_set
from tests.factories import AdminFactory, ManagerFactory, UserFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces import permissions
from workspaces.lookup import workspace_with_role
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [None, *WorkspaceRole.values])
@pytest.mark.parametrize("suspended", [False, True])
def test_the_workspace_and_role_are_those_with_role_of_gives(role, suspended):
    person, other = UserFactory(suspended=suspended), UserFactory()
    workspace = WorkspaceFactory(name="Handbook")
    WorkspaceFactory(name="Elsewhere")
    WorkspaceUserFactory(workspace=workspace, user=other, role=WorkspaceRole.OWNER)  # someone else's role
    if role is not None:
        WorkspaceUserFactory(workspace=workspace, user=person, role=role)
    expected = Workspace.objects.with_role_of(person).get(slug=workspace.slug)
    found = workspace_with_role(user=person, slug=workspace.slug)
    assert (found.pk, found.name, found.member_role) == (expected.pk, expected.name, expected.member_role)
    assert permissions.permissions_in(person, found) == permissions.permissions_in(person, expected)
    assert workspace_with_role(user=person, slug="no-such-workspace") is None


@pytest.mark.parametrize("who", ["member", "stranger", "admin", "manager running all", "manager running what they own",
                                 "owning manager running what they own"])
def test_who_sees_a_workspace_page_is_who_for_user_lets_see(client, who):
    workspace = WorkspaceFactory(name="Handbook")
    person = AdminFactory() if who == "admin" else ManagerFactory() if "manager" in who else UserFactory()
    if "what they own" in who:
        setting_set(label="manager_scope", value="owned")
    if who == "member":
        WorkspaceUserFactory(workspace=workspace, user=person, role=WorkspaceRole.VIEWER)
    if who.startswith("owning"):
        WorkspaceUserFactory(workspace=workspace, user=person, role=WorkspaceRole.OWNER)
    client.force_login(person)
    visible = Workspace.objects.for_user(person).filter(pk=workspace.pk).exists()
    for page in ("", "chat/", "search/?q=leave"):
        response = client.get(f"/w/{workspace.slug}/{page}")
        assert response.status_code == (200 if visible else 404), (who, page)
    assert visible == (who in ("member", "admin", "manager running all", "owning manager running what they own"))
