import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from tests.factories import WorkspaceDocumentFactory
from tests.workspaces.documents.sample_files import stored_files, words
from workspaces.documents import intake, services
from workspaces.documents.extraction import DocumentRefused
from workspaces.documents.services import DUPLICATE_DOCUMENT, document_delete, document_ingest
from workspaces.models import DocumentPassage, WorkspaceDocument

pytestmark = pytest.mark.django_db


def text_file(text="Some useful words.", name="notes.txt"):
    return ContentFile(text.encode(), name=name)


def test_ingest_keeps_a_cleaned_display_name_and_never_uses_it_for_storage(workspace):
    document = document_ingest(
        workspace=workspace, uploaded_file=text_file(), filename="../../secret\x00/..\\x/\u202eevil.txt"
    )
    assert document.filename == "evil.txt"
    assert stored_files() == [f"documents/{workspace.pk}/{document.doc_id}.txt"]


def test_a_failure_while_saving_rows_removes_the_stored_file(workspace, monkeypatch):
    def broken_queue(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "document_requeue", broken_queue)
    with pytest.raises(RuntimeError):
        document_ingest(workspace=workspace, uploaded_file=text_file(), filename="notes.txt")
    assert not WorkspaceDocument.objects.exists()
    assert stored_files() == []


def test_an_identical_upload_that_wins_a_race_makes_the_other_a_duplicate(workspace, monkeypatch):
    """The duplicate check and the insert are not one step; the unique index on
    (workspace, sha256) settles a race, and the loser's file is removed."""
    sha256 = hashlib.sha256(b"Some useful words.").hexdigest()
    real_save = intake.stored_file_save

    def save_while_another_upload_lands(**kwargs):
        WorkspaceDocumentFactory(workspace=workspace, filename="winner.txt", metadata={"sha256": sha256})
        return real_save(**kwargs)

    monkeypatch.setattr(intake, "stored_file_save", save_while_another_upload_lands)
    with pytest.raises(DocumentRefused) as refused:
        document_ingest(workspace=workspace, uploaded_file=text_file(), filename="loser.txt")
    assert refused.value.message == DUPLICATE_DOCUMENT.format(name="loser.txt", existing="winner.txt")
    assert refused.value.code == "duplicate"
    assert list(WorkspaceDocument.objects.values_list("filename", flat=True)) == ["winner.txt"]
    assert stored_files() == []


def test_a_member_may_not_ingest_while_uploads_are_for_staff_only(workspace, user):
    with pytest.raises(PermissionDenied):
        document_ingest(workspace=workspace, uploaded_file=text_file(), filename="notes.txt", user=user)
    assert stored_files() == []


def test_delete_removes_the_row_the_passages_and_the_file_once_committed(
    workspace, django_capture_on_commit_callbacks
):
    document = document_ingest(workspace=workspace, uploaded_file=text_file(words(500)), filename="notes.txt")
    assert DocumentPassage.objects.filter(document=document).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document)
    assert not WorkspaceDocument.objects.exists()
    assert not DocumentPassage.objects.exists()
    assert stored_files() == []


def test_a_delete_that_is_rolled_back_keeps_the_file(workspace, django_capture_on_commit_callbacks):
    document = document_ingest(workspace=workspace, uploaded_file=text_file(), filename="notes.txt")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        document_delete(document=document)
        raise RuntimeError("something later in the same transaction failed")
    assert WorkspaceDocument.objects.filter(doc_id=document.doc_id).exists()
    assert stored_files() == [document.docpath]
