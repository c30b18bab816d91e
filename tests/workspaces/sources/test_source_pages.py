"""The Sources tab and the admin: who may manage sources, adding with inline refusals, Sync now,
the origin shown with a document, deleting with or without its documents."""

import pytest

from tests.factories import (
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceSourceFactory,
    WorkspaceUserFactory,
)
from workspaces.models import SourceItem, WorkspaceDocument, WorkspaceSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def share(settings, tmp_path):
    folder = tmp_path / "share" / "policies"
    folder.mkdir(parents=True)
    (folder / "leave.md").write_text("# Leave\n\n" + "Every colleague gets thirty days of leave. " * 20)
    settings.SOURCE_FOLDER_ROOTS = [str(tmp_path / "share")]
    return folder


def add_form(location, kind="folder", **fields):
    return {"name": "Policies", "kind": kind, "location": str(location), "on_removal": "keep", "max_pages": 50,
            "max_depth": 2, "interval_minutes": 60, **fields}


def test_owners_see_the_sources_tab_and_editors_may_not_manage_sources(client, owner_client, workspace):
    assert "Sources</a>" in owner_client.get(f"/w/{workspace.slug}/").content.decode()
    editor = UserFactory(username="eddie")
    WorkspaceUserFactory(user=editor, workspace=workspace, role="editor")
    client.force_login(editor)
    assert "Sources</a>" not in client.get(f"/w/{workspace.slug}/").content.decode()
    for url in ("sources/", "sources/new/"):
        response = client.get(f"/w/{workspace.slug}/{url}")
        assert response.status_code == 403


def test_an_owner_adds_a_folder_and_its_documents_name_their_origin(owner_client, workspace, share):
    response = owner_client.post(f"/w/{workspace.slug}/sources/new/", add_form(share))
    source = WorkspaceSource.objects.get(workspace=workspace)
    assert response.status_code == 302 and response.url == f"/w/{workspace.slug}/sources/{source.pk}/"
    detail = owner_client.get(response.url).content.decode()
    assert '<dd class="count-added">1</dd>' in detail and "Synced" in detail
    listing = owner_client.get(f"/w/{workspace.slug}/").content.decode()
    assert f"From <code class=\"breakable\">{share}/leave.md</code>" in listing
    document = WorkspaceDocument.objects.get(workspace=workspace)
    assert f"{share}/leave.md" in owner_client.get(document.get_absolute_url()).content.decode()


def test_a_refused_location_is_shown_on_its_field_and_nothing_is_added(owner_client, workspace, share, tmp_path,
                                                                       settings):
    settings.SOURCE_ALLOWED_HOSTS = []
    for form, message in (
        (add_form(tmp_path), "is not inside a folder this server allows"),
        (add_form("../etc"), "full path"),
        (add_form("http://127.0.0.1:8000/wiki/", kind="site"), "127.0.0.1 is not a public address"),
        (add_form("http://169.254.169.254/latest/", kind="page"), "not a public address"),
        (add_form("file:///etc/passwd", kind="page"), "This address may not be used"),
        (add_form(share, interval_minutes=1), "Ensure this value is greater than or equal to 5"),
    ):
        response = owner_client.post(f"/w/{workspace.slug}/sources/new/", form)
        assert response.status_code == 400 and message in response.content.decode(), form
    assert not WorkspaceSource.objects.exists()


def test_sync_now_queues_a_sync_and_shows_its_result(owner_client, workspace, share):
    owner_client.post(f"/w/{workspace.slug}/sources/new/", add_form(share))
    source = WorkspaceSource.objects.get()
    (share / "travel.txt").write_text("Trains are booked by the office. " * 20)
    response = owner_client.post(f"/w/{workspace.slug}/sources/{source.pk}/sync/", follow=True)
    page = response.content.decode()
    assert "A sync of “Policies” is queued" in page and '<dd class="count-added">1</dd>' in page
    assert owner_client.get(f"/w/{workspace.slug}/sources/{source.pk}/sync/").status_code == 302
    assert WorkspaceDocument.objects.filter(workspace=workspace).count() == 2


def test_a_source_of_another_workspace_is_not_found(owner_client, workspace):
    elsewhere = WorkspaceSourceFactory(workspace=WorkspaceFactory(name="Elsewhere"))
    for url in ("", "edit/", "delete/"):
        assert owner_client.get(f"/w/{workspace.slug}/sources/{elsewhere.pk}/{url}").status_code == 404
    assert owner_client.post(f"/w/{workspace.slug}/sources/{elsewhere.pk}/sync/").status_code == 404


def test_an_owner_changes_a_source(owner_client, workspace):
    source = WorkspaceSourceFactory(workspace=workspace, name="Wiki")
    form = {"name": "Wiki", "kind": "page", "location": source.location, "on_removal": "remove", "max_pages": 10,
            "max_depth": 1, "interval_minutes": 120}
    response = owner_client.post(f"/w/{workspace.slug}/sources/{source.pk}/edit/", form)
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.on_removal, source.interval_minutes) == ("remove", 120)


@pytest.mark.parametrize("delete_documents", [True, False])
def test_deleting_a_source_keeps_or_deletes_its_documents(owner_client, workspace, share, delete_documents):
    owner_client.post(f"/w/{workspace.slug}/sources/new/", add_form(share))
    source = WorkspaceSource.objects.get()
    assert "It brought in 1 document." in owner_client.get(f"/w/{workspace.slug}/sources/{source.pk}/delete/")\
        .content.decode()
    form = {"delete_documents": "on"} if delete_documents else {}
    assert owner_client.post(f"/w/{workspace.slug}/sources/{source.pk}/delete/", form).status_code == 302
    assert not WorkspaceSource.objects.exists()
    assert WorkspaceDocument.objects.filter(workspace=workspace).exists() is not delete_documents


def test_the_sources_list_costs_a_fixed_number_of_queries(owner_client, workspace, django_assert_max_num_queries):
    """Each row links with the workspace slug in hand, not source.get_absolute_url() (an N+1 on source.workspace)."""
    for n in range(60):
        WorkspaceSourceFactory(workspace=workspace, name=f"Source {n:02}")
    with django_assert_max_num_queries(9):
        response = owner_client.get(f"/w/{workspace.slug}/sources/")
    assert response.content.decode().count("Source ") >= 50
    assert "Source 49" in response.content.decode() and "Source 50" not in response.content.decode()


def test_the_admin_adds_a_source_through_the_same_checks_and_syncs_it(admin_client, workspace, share, tmp_path):
    form = {**add_form(tmp_path), "workspace": workspace.pk}
    response = admin_client.post("/admin/workspaces/workspacesource/add/", form)
    assert response.status_code == 200 and "is not inside a folder this server allows" in response.content.decode()
    response = admin_client.post("/admin/workspaces/workspacesource/add/", {**form, "location": str(share)})
    assert response.status_code == 302
    source = WorkspaceSource.objects.get()
    assert source.last_added == 1
    (share / "more.txt").write_text("More words about the policies of the house. " * 20)
    response = admin_client.post("/admin/workspaces/workspacesource/", {
        "action": "sync_now", "_selected_action": [source.pk],
    })
    source.refresh_from_db()
    assert response.status_code == 302 and source.last_added == 1
    assert WorkspaceDocument.objects.filter(workspace=workspace).count() == 2
    assert admin_client.get("/admin/workspaces/workspacesource/").status_code == 200
    assert admin_client.get(f"/admin/workspaces/workspacesource/{source.pk}/change/").status_code == 200


def test_a_source_page_lists_its_files_with_their_documents_in_a_fixed_number_of_queries(
    owner_client, workspace, django_assert_max_num_queries
):
    """The items come with their documents in one query (no query per row for item.document)."""
    source = WorkspaceSourceFactory(workspace=workspace, kind="folder", location="/srv/shares/handbook")
    for n in range(250):
        document = WorkspaceDocumentFactory(workspace=workspace, filename=f"file-{n:03}.md")
        SourceItem.objects.create(source=source, key=f"file-{n:03}.md", document=document, sha256="0" * 64)
    SourceItem.objects.create(source=source, key="empty.txt", error="“empty.txt” is empty.")
    with django_assert_max_num_queries(10):
        response = owner_client.get(f"/w/{workspace.slug}/sources/{source.pk}/")
    page = response.content.decode()
    assert "“empty.txt” is empty." in page and "file-198.md" in page and "file-199.md" not in page
    assert "The first 200 of 251, by name." in page
    first = SourceItem.objects.get(key="file-000.md").document
    assert f'href="/w/{workspace.slug}/documents/{first.doc_id}/">Ready</a>' in page


def test_a_server_that_allows_no_folders_does_not_offer_one(owner_client, workspace, settings, share):
    assert 'value="folder"' in owner_client.get(f"/w/{workspace.slug}/sources/new/").content.decode()
    settings.SOURCE_FOLDER_ROOTS = []
    page = owner_client.get(f"/w/{workspace.slug}/sources/new/").content.decode()
    assert 'value="folder"' not in page and "this server allows no folders" in page
