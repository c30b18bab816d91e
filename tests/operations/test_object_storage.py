"""Documents in an S3-compatible bucket (moto's server on 127.0.0.1): upload, processing,
presigned downloads after the access check, deletion, backup and restore."""

import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory, WorkspaceUserFactory
from tests.s3_server import bucket_keys, new_bucket, s3_server, storage_settings
from tests.workspaces.documents.sample_files import upload, words
from workspaces.documents.models import DocumentStatus
from workspaces.models import WorkspaceDocument
from workspaces.retrieval.search import search_passages
from workspaces.services import workspace_delete

pytestmark = pytest.mark.slow  # an S3 server in its own process


@pytest.fixture(scope="session")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(settings, s3_endpoint):
    name = new_bucket(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_endpoint, name)}
    settings.S3_DOWNLOAD_URL_SECONDS = 60
    return name


def upload_one(client, workspace, name="notes.txt", text=None):
    response = client.post(
        reverse("workspaces:upload", args=[workspace.slug]), {"documents": upload(name, text or words(300))}
    )
    assert response.status_code == 302
    return WorkspaceDocument.objects.get(filename=name)


@pytest.mark.django_db
def test_an_upload_is_stored_in_the_bucket_processed_from_it_and_searchable(
    manager_client, workspace, bucket, s3_endpoint
):
    document = upload_one(manager_client, workspace, text="Falcons nest on the cathedral tower. " * 5)
    assert bucket_keys(s3_endpoint, bucket) == [document.docpath]
    assert document.status == DocumentStatus.READY
    assert search_passages(workspace=workspace, query="falcons")


@pytest.mark.django_db
def test_a_download_redirects_to_a_short_lived_signed_address_that_serves_the_file(
    manager_client, workspace, bucket, s3_endpoint
):
    document = upload_one(manager_client, workspace, name="Rapport été.txt", text="Le rapport de l'été.")
    response = manager_client.get(reverse("workspaces:download", args=[workspace.slug, document.doc_id]))
    assert response.status_code == 302
    signed = response["Location"]
    assert signed.startswith(f"{s3_endpoint}/{bucket}/") or signed.startswith(f"http://{bucket}.")
    query = parse_qs(urlparse(signed).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    with urllib.request.urlopen(signed, timeout=10) as fetched:  # noqa: S310 - the test server
        assert fetched.read() == "Le rapport de l'été.".encode()
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert "UTF-8''Rapport%20%C3%A9t%C3%A9.txt" in fetched.headers["Content-Disposition"]


@pytest.mark.django_db
def test_no_signed_address_for_someone_who_may_not_see_the_workspace(
    manager_client, client, other_user, workspace, bucket
):
    document = upload_one(manager_client, workspace)
    client.force_login(other_user)
    assert client.get(reverse("workspaces:download", args=[workspace.slug, document.doc_id])).status_code == 404


@pytest.mark.django_db
def test_deleting_a_document_or_a_workspace_removes_its_objects(
    manager_client, workspace, bucket, s3_endpoint, django_capture_on_commit_callbacks
):
    first = upload_one(manager_client, workspace, name="one.txt", text="First file.")
    upload_one(manager_client, workspace, name="two.txt", text="Second file.")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("workspaces:document_delete", args=[workspace.slug, first.doc_id]))
    assert len(bucket_keys(s3_endpoint, bucket)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        workspace_delete(workspace=workspace)
    assert bucket_keys(s3_endpoint, bucket) == []


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_the_bucket_files(tmp_path, settings, s3_endpoint):
    name = new_bucket(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_endpoint, name)}
    manager = UserFactory(username="keeper", role="manager")
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory(name="Archive")
    WorkspaceUserFactory(user=manager, workspace=workspace)
    from django.test import Client

    client = Client()
    client.force_login(manager)
    document = upload_one(client, workspace, text="Kept safe in the archive.")
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    call_command("flush", interactive=False, verbosity=0)
    restored_bucket = new_bucket(s3_endpoint)  # restore into a fresh bucket
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_endpoint, restored_bucket)}
    call_command("restore", str(archive), verbosity=0)
    assert User.objects.filter(username="keeper").exists()
    assert bucket_keys(s3_endpoint, restored_bucket) == [document.docpath]
    restored = WorkspaceDocument.objects.get()
    assert restored.status == DocumentStatus.READY and restored.passages.count() == 1
