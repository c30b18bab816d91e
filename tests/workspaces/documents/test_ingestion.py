"""The ingestion task on the real database task backend: states, retries, time limit,
recovery from dead workers, idempotence, re-indexing without downtime."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from settings_app.services import setting_set
from tests.concurrency import at_once
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.task_worker import run_worker
from tests.workspaces.documents.sample_files import stored_files, words
from workspaces.documents import ingestion
from workspaces.documents.ingestion import GAVE_UP, TIME_LIMIT_EXCEEDED, document_process, document_requeue
from workspaces.documents.jobs import WORKER_LOST, documents_recover
from workspaces.documents.models import DocumentStatus
from workspaces.documents.services import document_delete, document_ingest, documents_reindex
from workspaces.models import DocumentPassage, WorkspaceDocument
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ingest(workspace, text=None, name="notes.txt"):
    content = ContentFile((text or words(450)).encode(), name=name)
    return document_ingest(workspace=workspace, uploaded_file=content, filename=name)


def test_an_upload_stays_queued_and_unsearchable_until_a_worker_makes_it_ready(workspace, database_tasks):
    document = ingest(workspace, "The lighthouse keeper logs every ship. " * 30)
    assert document.status == DocumentStatus.QUEUED and document.attempts == 1
    assert len(document.metadata["sha256"]) == 64
    assert search_passages(workspace=workspace, query="lighthouse") == []
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert (document.progress_done, document.progress_total) == (1, 1)
    assert document.heartbeat_at is None
    workspace.refresh_from_db()  # as the next request reads it
    assert search_passages(workspace=workspace, query="lighthouse")


def test_search_and_answers_use_only_ready_documents(workspace):
    for status in DocumentStatus.values:
        document = WorkspaceDocumentFactory(workspace=workspace, filename=f"{status}.txt", status=status)
        DocumentPassageFactory(document=document, position=1, text="Orchids need bright indirect light.")
    assert [hit.filename for hit in search_passages(workspace=workspace, query="orchids")] == ["ready.txt"]


def test_a_task_delivered_twice_leaves_one_set_of_passages(workspace, database_tasks):
    document = ingest(workspace)
    ingestion.ingest_document.enqueue(document.pk, document.attempts)  # the same task, again
    run_worker()
    assert DBTaskResult.objects.count() == 2
    assert document.passages.count() == 3
    assert document_process(document_id=document.pk, attempt=document.attempts) == "skipped"
    assert document.passages.count() == 3


def test_a_transient_error_is_retried_later_with_backoff_and_then_succeeds(workspace, database_tasks, monkeypatch):
    real_extract = ingestion.extract_document
    calls = []

    def flaky_extract(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_extract(**kwargs)

    monkeypatch.setattr(ingestion, "extract_document", flaky_extract)
    document = ingest(workspace)
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED and document.attempts == 2
    assert document.status_reason == ingestion.RETRYING.format(
        error="OperationalError: server closed the connection unexpectedly", seconds=10
    )
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now() + timedelta(seconds=5)  # 10 s backoff for the first retry
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.passages.count() == 3
    assert document.status_reason == ""


def test_transient_errors_past_the_attempt_limit_fail_the_document_with_the_reason(workspace, monkeypatch):
    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ingestion, "extract_document", down)
    document = ingest(workspace)  # the immediate backend runs each retry at once
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.attempts == 3
    assert document.status_reason == GAVE_UP.format(
        attempts=3, error="OperationalError: could not connect to server"
    )


def test_a_run_over_the_time_limit_fails_the_document(workspace, settings):
    settings.INGEST_TIME_LIMIT_SECONDS = 0
    document = ingest(workspace)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.status_reason == TIME_LIMIT_EXCEEDED.format(seconds=0)
    assert not document.passages.exists()


def test_a_document_held_by_a_dead_worker_is_requeued_then_failed_after_the_attempt_limit(
    workspace, database_tasks, settings
):
    document = ingest(workspace)
    stale = timezone.now() - timedelta(seconds=settings.INGEST_STALE_SECONDS + 1)
    # A worker claimed it and died: the row is "extracting" and its heartbeat stopped.
    WorkspaceDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.EXTRACTING, heartbeat_at=stale)
    assert documents_recover() == {"requeued": 1, "failed": 0}
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED and document.attempts == 2 and document.heartbeat_at is None
    WorkspaceDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.INDEXING, heartbeat_at=stale, attempts=settings.INGEST_MAX_ATTEMPTS
    )
    assert documents_recover() == {"requeued": 0, "failed": 1}
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.status_reason == WORKER_LOST.format(attempts=settings.INGEST_MAX_ATTEMPTS)
    run_worker()  # the tasks left in the queue find a newer attempt number and do nothing
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and not document.passages.exists()


def test_a_live_run_is_left_alone_by_the_recovery_sweep(workspace, database_tasks):
    document = ingest(workspace)
    WorkspaceDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.INDEXING, heartbeat_at=timezone.now()
    )
    assert documents_recover() == {"requeued": 0, "failed": 0}


def test_a_run_superseded_half_way_does_not_swap_its_passages_in(workspace, database_tasks, monkeypatch):
    document = ingest(workspace)

    def taken_over(**kwargs):
        document_requeue(document_id=document.pk)  # the sweep gave this run's place to another
        return ingestion.extract_bounded(**kwargs)

    monkeypatch.setattr(ingestion, "extract_document", taken_over)
    assert document_process(document_id=document.pk, attempt=1) == "superseded"
    assert not DocumentPassage.objects.exists()
    monkeypatch.undo()
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.attempts == 2 and document.passages.count() == 3


def test_deleting_a_document_while_it_is_processed_leaves_no_passages_or_file(
    workspace, database_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    document = ingest(workspace)

    def deleted_meanwhile(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            document_delete(document=WorkspaceDocument.objects.get(pk=document.pk))
        return ingestion.extract_bounded(**kwargs)

    monkeypatch.setattr(ingestion, "extract_document", deleted_meanwhile)
    assert document_process(document_id=document.pk, attempt=1) == "superseded"
    assert not DocumentPassage.objects.exists() and stored_files() == []


def test_reindexing_keeps_the_old_passages_answering_until_the_new_set_is_ready(workspace, database_tasks):
    document = ingest(workspace)
    run_worker()
    old = list(document.passages.values_list("pk", flat=True))
    setting_set(label="passage_size_words", value=50)
    setting_set(label="passage_overlap_words", value=0)
    assert documents_reindex(documents=WorkspaceDocument.objects.all()) == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.reindexing
    assert sorted(hit.passage_id for hit in search_passages(workspace=workspace, query="word7")) == old[:1]
    run_worker()
    document.refresh_from_db()
    assert not document.reindexing and document.passages.count() == 9
    assert document.metadata["passage_count"] == 9
    assert not set(old) & set(document.passages.values_list("pk", flat=True))


def test_a_failed_reindex_keeps_the_document_ready_with_its_old_passages(workspace, database_tasks, monkeypatch):
    document = ingest(workspace)
    run_worker()
    monkeypatch.setattr(ingestion, "split_passages", lambda *args, **kwargs: 1 / 0)
    documents_reindex(documents=WorkspaceDocument.objects.all())
    run_worker()
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and not document.reindexing
    assert document.status_reason.startswith("Re-indexing failed, the previous passages stay in use")
    assert document.passages.count() == 3


def test_reindex_command_queues_ready_documents_and_leaves_the_others(workspace, database_tasks):
    ready = ingest(workspace)
    run_worker()
    queued = ingest(workspace, "Another file entirely.", name="other.txt")
    call_command("reindex_documents", workspace.slug, stdout=None)
    ready.refresh_from_db()
    queued.refresh_from_db()
    assert ready.reindexing and not queued.reindexing and queued.status == DocumentStatus.QUEUED


def test_admin_action_reindexes_the_selected_ready_documents(workspace, database_tasks, admin_client):
    ready = ingest(workspace)
    run_worker()
    failed = WorkspaceDocumentFactory(workspace=workspace, status=DocumentStatus.FAILED)
    response = admin_client.post(
        "/admin/workspaces/workspacedocument/",
        {"action": "reindex", "_selected_action": [ready.pk, failed.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "Queued 1 document(s) for re-indexing" in body and "1 not ready or already re-indexing" in body
    ready.refresh_from_db()
    assert ready.reindexing


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_uploads_of_one_file_give_one_document_one_file_and_one_task(settings):
    """Each upload runs on its own thread and database connection; the checksum is taken
    in the request, and the unique (workspace, sha256) index settles the race."""
    from django.test import Client

    from tests.factories import ManagerFactory, WorkspaceFactory
    from tests.workspaces.documents.sample_files import upload

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workspace = WorkspaceFactory(name="Race")
    manager = ManagerFactory(username="racer")
    attempts = 6
    clients = [Client() for _ in range(attempts)]
    for client in clients:
        client.force_login(manager)
    codes = at_once(lambda number: clients[number].post(
        f"/w/{workspace.slug}/documents/upload/", {"documents": upload(f"copy-{number}.txt", words(300))},
        HTTP_ACCEPT="application/json",
    ).status_code, attempts)
    assert sorted(codes) == [201] + [400] * (attempts - 1)
    document = WorkspaceDocument.objects.get()
    assert stored_files() == [document.docpath]
    assert DBTaskResult.objects.count() == 1
