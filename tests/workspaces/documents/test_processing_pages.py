"""What people see of processing: the upload script's JSON, the status endpoint, Retry."""

import json

import pytest
from django.urls import reverse

from settings_app.services import setting_set
from tests.factories import WorkspaceDocumentFactory, WorkspaceFactory
from tests.workspaces.documents.sample_files import EXE_BYTES, upload, words
from workspaces.documents.decoding import CONTENT_MISMATCH
from workspaces.documents.extraction import UNSUPPORTED_TYPE
from workspaces.documents.models import DocumentStatus
from workspaces.documents.services import NOT_FAILED
from workspaces.models import WorkspaceDocument

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def status_url(workspace, *documents):
    ids = ",".join(str(document.doc_id) for document in documents)
    return reverse("workspaces:document_status", args=[workspace.slug]) + f"?ids={ids}"


def retry_url(document):
    return reverse("workspaces:document_retry", args=[document.workspace.slug, document.doc_id])


def test_the_upload_script_gets_the_document_and_its_state_as_json(manager_client, workspace):
    response = manager_client.post(
        reverse("workspaces:upload", args=[workspace.slug]), {"documents": upload("notes.txt", words(300))}, **JSON
    )
    assert response.status_code == 201
    document = WorkspaceDocument.objects.get()
    assert response.json() == {
        "documents": [{
            "doc_id": str(document.doc_id), "filename": "notes.txt", "status": "ready", "label": "Ready",
            "reindexing": False, "processing": False, "reason": "", "done": 2, "total": 2,
            "url": document.get_absolute_url(),
        }],
        "errors": [],
    }


def test_a_refused_file_is_a_json_error_for_the_upload_script(manager_client, workspace):
    response = manager_client.post(
        reverse("workspaces:upload", args=[workspace.slug]), {"documents": upload("setup.exe", EXE_BYTES)}, **JSON
    )
    assert response.status_code == 400
    assert response.json() == {"documents": [], "errors": [UNSUPPORTED_TYPE.format(name="setup.exe")]}


def test_an_oversized_upload_is_a_json_413_for_the_upload_script(manager_client, workspace):
    setting_set(label="max_upload_mb", value=1)
    response = manager_client.post(
        reverse("workspaces:upload", args=[workspace.slug]), {"documents": upload("a.txt", "small")},
        CONTENT_LENGTH=str(3 * 1024 * 1024), **JSON,
    )
    assert response.status_code == 413 and "1 MB" in response.json()["errors"][0]


def test_status_endpoint_reports_state_and_progress_of_this_workspaces_documents_only(member_client, workspace):
    indexing = WorkspaceDocumentFactory(
        workspace=workspace, status=DocumentStatus.INDEXING, progress_done=40, progress_total=100
    )
    elsewhere = WorkspaceDocumentFactory(workspace=WorkspaceFactory(), status=DocumentStatus.QUEUED)
    response = member_client.get(status_url(workspace, indexing, elsewhere) + ",not-a-uuid")
    assert response.status_code == 200
    (state,) = response.json()["documents"]
    assert state["doc_id"] == str(indexing.doc_id)
    assert (state["status"], state["label"], state["processing"], state["done"], state["total"]) == (
        "indexing", "Indexing", True, 40, 100
    )


def test_status_endpoint_is_a_404_for_a_workspace_the_user_may_not_see(client, other_user, workspace):
    client.force_login(other_user)
    assert client.get(status_url(workspace)).status_code == 404


def test_workspace_and_document_pages_show_progress_and_a_failed_reason_with_retry_and_delete(
    admin_client, workspace
):
    processing = WorkspaceDocumentFactory(
        workspace=workspace, filename="big.pdf", status=DocumentStatus.INDEXING, progress_done=3, progress_total=7
    )
    failed = WorkspaceDocumentFactory(
        workspace=workspace, filename="virus.pdf", status=DocumentStatus.FAILED,
        status_reason=CONTENT_MISMATCH.format(name="virus.pdf", kind="PDF"),
    )
    listing = admin_client.get(workspace.get_absolute_url()).content.decode()
    assert "3/7 passages" in listing and 'data-processing="true"' in listing
    assert "is not really a PDF file" in listing
    assert "data-dropzone" in listing
    page = admin_client.get(processing.get_absolute_url()).content.decode()
    assert "3/7 passages" in page and "data-reload-when-done" in page
    page = admin_client.get(failed.get_absolute_url()).content.decode()
    assert "Processing failed" in page and retry_url(failed) in page


def test_retry_queues_a_failed_document_again_and_it_is_processed(manager_client, workspace):
    manager_client.post(reverse("workspaces:upload", args=[workspace.slug]), {"documents": upload("a.txt", "Hello")})
    document = WorkspaceDocument.objects.get()
    # As if it had failed for a reason that has gone away since.
    WorkspaceDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.FAILED, status_reason="Server away")
    document.passages.all().delete()
    response = manager_client.post(retry_url(document))
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.status_reason == ""
    assert document.passages.count() == 1


def test_retry_of_a_document_that_has_not_failed_is_refused_with_a_message(manager_client, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, status=DocumentStatus.READY)
    response = manager_client.post(retry_url(document), **JSON)
    assert response.status_code == 409
    assert json.loads(response.content) == {"error": NOT_FAILED.format(name=document.filename)}


def test_retry_needs_the_upload_permission(member_client, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, status=DocumentStatus.FAILED)
    assert member_client.post(retry_url(document)).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
