"""Issue 11's small ones for documents: the client address on upload and deletion audit rows
(site and admin), and no empty folder left behind by deletions."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from tests.workspaces.documents.sample_files import stored_files, upload, words
from workspaces.models import WorkspaceDocument
from workspaces.services import workspace_delete

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"


def upload_one(client, workspace, name="notes.txt"):
    url = reverse("workspaces:upload", kwargs={"slug": workspace.slug})
    client.post(url, {"documents": upload(name, words(50, prefix=name))}, REMOTE_ADDR=ADDRESS)
    return WorkspaceDocument.objects.get(filename=name)


def test_upload_and_delete_audit_rows_carry_the_client_address(manager_client, workspace):
    document = upload_one(manager_client, workspace)
    delete_url = reverse("workspaces:document_delete", kwargs={"slug": workspace.slug, "doc_id": document.doc_id})
    manager_client.post(delete_url, REMOTE_ADDR=ADDRESS)
    rows = AuditEvent.objects.filter(action__in=[AuditAction.UPLOAD, AuditAction.DOCUMENT_DELETED])
    assert sorted(rows.values_list("action", "ip_address")) == [
        (AuditAction.DOCUMENT_DELETED, ADDRESS), (AuditAction.UPLOAD, ADDRESS),
    ]


def test_a_deletion_in_the_admin_carries_the_client_address_too(admin_client, workspace):
    document = upload_one(admin_client, workspace)
    admin_client.post(f"/admin/workspaces/workspacedocument/{document.pk}/delete/", {"post": "yes"},
                      REMOTE_ADDR=ADDRESS)
    deleted = AuditEvent.objects.get(action=AuditAction.DOCUMENT_DELETED)
    assert deleted.ip_address == ADDRESS


def test_deleting_the_last_document_of_a_workspace_leaves_no_empty_folder(
    manager_client, workspace, django_capture_on_commit_callbacks
):
    first, second = upload_one(manager_client, workspace, "a.txt"), upload_one(manager_client, workspace, "b.txt")
    media = Path(django_settings.MEDIA_ROOT)
    folder = media / "documents" / str(workspace.pk)
    for document, folder_remains in ((first, True), (second, False)):
        url = reverse("workspaces:document_delete", kwargs={"slug": workspace.slug, "doc_id": document.doc_id})
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(url)
        assert folder.is_dir() is folder_remains
    assert media.is_dir() and list(media.iterdir()) == []  # the storage root itself stays


def test_deleting_a_workspace_removes_its_folder(manager_client, workspace, django_capture_on_commit_callbacks):
    upload_one(manager_client, workspace)
    with django_capture_on_commit_callbacks(execute=True):
        workspace_delete(workspace=workspace)
    assert stored_files() == []
    assert not (Path(django_settings.MEDIA_ROOT) / "documents").exists()
