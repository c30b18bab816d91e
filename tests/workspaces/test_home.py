import pytest

from tests.factories import WorkspaceDocumentFactory, WorkspaceFactory, WorkspaceUserFactory

pytestmark = pytest.mark.django_db


def test_member_sees_only_their_workspaces(member_client, workspace, other_user):
    body = member_client.get("/").content.decode()
    assert "Research" in body
    assert "Elsewhere" not in body
    assert f'href="/w/{workspace.slug}/"' in body
    assert 'href="/admin/"' not in body


@pytest.mark.parametrize("client_fixture", ["admin_client", "manager_client"])
def test_admins_and_managers_see_every_workspace_and_the_admin_link(request, client_fixture, workspace, other_user):
    body = request.getfixturevalue(client_fixture).get("/").content.decode()
    assert "Research" in body and "Elsewhere" in body
    assert 'href="/admin/"' in body


def test_member_without_workspaces_is_told_what_to_do_next(client, other_user):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="newbie"))
    assert "Ask an administrator to add you" in client.get("/").content.decode()


def test_workspace_page_answers_404_to_a_non_member(client, workspace, other_user):
    client.force_login(other_user)
    assert client.get(f"/w/{workspace.slug}/").status_code == 404


def test_home_costs_a_fixed_number_of_queries(member_client, user, django_assert_max_num_queries):
    """Document counts and last activity are annotated, not one query per card."""
    for n in range(30):
        workspace = WorkspaceFactory(name=f"Space {n}")
        WorkspaceUserFactory(user=user, workspace=workspace)
        WorkspaceDocumentFactory(workspace=workspace)
    with django_assert_max_num_queries(8):
        response = member_client.get("/")
    assert response.status_code == 200
    assert "Space 1" in response.content.decode()


def test_workspace_slug_is_derived_once_and_clashes_get_a_suffix():
    first = WorkspaceFactory(name="Legal Team")
    second = WorkspaceFactory(name="Legal: Team!")
    assert first.slug == "legal-team"
    assert second.slug.startswith("legal-team-") and second.slug != first.slug
    first.name = "Renamed"
    first.save()
    first.refresh_from_db()
    assert first.slug == "legal-team"


def test_a_workspace_card_shows_its_description_escaped(member_client, workspace):
    workspace.description = "Handbooks & <b>policies</b>."
    workspace.save()
    page = member_client.get("/").content.decode()
    assert "Handbooks &amp; &lt;b&gt;policies&lt;/b&gt;." in page
