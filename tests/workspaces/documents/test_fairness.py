"""One uploader cannot starve the others: the worker takes next the document of whoever has the
fewest documents waiting, so a colleague's small file is not queued behind someone's batch
(found: three slow files delayed a colleague's 60-byte upload by 51 s)."""

import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult

from tests.factories import UserFactory, WorkspaceUserFactory
from tests.workspaces.documents.bombs import docx_of_paragraphs
from tests.workspaces.documents.test_ingestion import run_worker
from workspaces.documents import limits
from workspaces.documents.models import DocumentStatus
from workspaces.documents.services import document_ingest, documents_reindex

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def editor(workspace, username):
    user = UserFactory(username=username)
    WorkspaceUserFactory(user=user, workspace=workspace, role="editor")
    return user


def upload(workspace, user, name, data: bytes):
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(data, name=name), filename=name, user=user)


def processing_order() -> list[int]:
    """Document ids in the order the worker started their tasks."""
    return [row["args"][0] for row in DBTaskResult.objects.order_by("started_at").values_list("args_kwargs", flat=True)]


def test_a_colleagues_small_upload_goes_before_the_rest_of_someone_elses_batch(workspace, database_tasks):
    hasty, colleague = editor(workspace, "hasty"), editor(workspace, "colleague")
    slow = [
        upload(workspace, hasty, f"slow{number}.docx", docx_of_paragraphs(limits.DOCX_MAX_BLOCKS // 20 + number))
        for number in range(3)
    ]
    small = upload(workspace, colleague, "note.txt", b"Sixty bytes of a note that the colleague needs to read now.")
    run_worker()
    assert processing_order() == [slow[0].pk, small.pk, slow[1].pk, slow[2].pk]
    small.refresh_from_db()
    assert small.status == DocumentStatus.READY


def test_a_reindex_of_every_document_does_not_hold_up_a_new_upload(workspace, database_tasks):
    owner, colleague = editor(workspace, "owner"), editor(workspace, "colleague")
    for number in range(4):
        upload(workspace, owner, f"doc{number}.txt", f"Document number {number} of the handbook.".encode())
    run_worker()
    DBTaskResult.objects.all().delete()
    documents_reindex(documents=workspace.documents.all())
    small = upload(workspace, colleague, "note.txt", b"A short note.")
    run_worker()
    assert processing_order().index(small.pk) <= 1
