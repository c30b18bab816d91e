"""The next document read while the current one is written (issue 30): the worker hands the next
ready task's file to its extraction child, and takes the answer when it claims that document; a
document it did not go on to costs nothing but the child."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.task_worker import DATABASE_TASKS, run_worker
from tests.workspaces.documents.sample_files import pdf_bytes
from workspaces.documents import read_ahead as read_ahead_module
from workspaces.documents import sandbox
from workspaces.documents.ingestion import ingest_document
from workspaces.documents.models import DocumentPassage, DocumentStatus
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.services import document_ingest


@pytest.fixture
def fresh_child():
    sandbox.reader_stop()
    yield
    sandbox.reader_stop()


def test_a_document_read_ahead_is_answered_once_when_asked_for(fresh_child):
    sandbox.read_ahead(key="b", stream=io.BytesIO(pdf_bytes(["The second document."])), name="b.pdf")
    child = sandbox._threads.child
    other_stream = io.BytesIO(b"never read: the answer is the one read ahead")
    extracted = sandbox.extract_bounded(stream=other_stream, name="b.pdf", key="b")
    assert "The second document." in extracted.text
    assert child.documents == 1 and child.ahead is None and sandbox._threads.child is child  # read once


def test_a_document_asked_for_instead_is_read_by_a_fresh_child(fresh_child):
    sandbox.read_ahead(key="b", stream=io.BytesIO(pdf_bytes(["Read ahead, never asked for."])), name="b.pdf")
    first = sandbox._threads.child
    extracted = sandbox.extract_bounded(stream=io.BytesIO(pdf_bytes(["The one claimed."])), name="c.pdf", key="c")
    assert "The one claimed." in extracted.text and "never asked" not in extracted.text
    assert sandbox._threads.child is not first and not first.process.is_alive()


def test_an_answer_read_ahead_is_taken_when_asked_for_after_its_time_limit(fresh_child, settings):
    """The worker may write the document before for longer than a document may take to read."""
    settings.EXTRACTION_TIMEOUT_SECONDS = 1
    sandbox.read_ahead(key="late", stream=io.BytesIO(b"Read in a moment, asked for later."), name="late.txt")
    time.sleep(1.5)
    extracted = sandbox.extract_bounded(stream=io.BytesIO(b""), name="late.txt", key="late")
    assert "asked for later" in extracted.text


def test_only_one_document_is_ahead_and_a_refusal_read_ahead_is_the_claims(fresh_child):
    sandbox.read_ahead(key="x", stream=io.BytesIO(b"not a pdf at all"), name="x.pdf")
    sandbox.read_ahead(key="y", stream=io.BytesIO(pdf_bytes(["Second in line."])), name="y.pdf")  # nothing sent
    assert sandbox._threads.child.ahead[0] == "x" and sandbox._threads.child.documents == 1
    with pytest.raises(DocumentRefused):
        sandbox.extract_bounded(stream=io.BytesIO(b""), name="x.pdf", key="x")


@pytest.mark.django_db
def test_the_worker_reads_the_next_queued_document_while_it_writes_one(workspace, settings, fresh_child, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    handed = []
    original = read_ahead_module.read_ahead

    def recording(*, key, **kwargs):
        handed.append((key[0], os.getpid()))
        return original(key=key, **kwargs)

    monkeypatch.setattr(read_ahead_module, "read_ahead", recording)
    documents = [
        document_ingest(workspace=workspace, uploaded_file=ContentFile(pdf_bytes([f"Report number {n}."]),
                                                                       name=f"r{n}.pdf"), filename=f"r{n}.pdf")
        for n in range(3)
    ]
    run_worker()
    for document in documents:
        document.refresh_from_db()
        assert document.status == DocumentStatus.READY, document.status_reason
    assert [document_id for document_id, _ in handed] == [documents[1].pk, documents[2].pk]
    assert sandbox._threads.child.documents == 3  # one child, each file read once: the answers were taken
    for n, document in enumerate(documents):  # each document's own text, whichever way it was read
        assert f"Report number {n}." in DocumentPassage.objects.get(document=document).text


@pytest.mark.django_db
def test_no_document_is_read_ahead_while_another_worker_runs_one(workspace, settings, fresh_child, monkeypatch):
    """Every worker would read the same next document: only a worker running alone reads ahead."""
    settings.TASKS = DATABASE_TASKS
    handed = []
    monkeypatch.setattr(read_ahead_module, "read_ahead", lambda **kwargs: handed.append(kwargs["key"]))
    for n in range(2):
        document_ingest(workspace=workspace, uploaded_file=ContentFile(f"Note {n}.".encode(), name=f"n{n}.txt"),
                        filename=f"n{n}.txt")
    first, second = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=first.pk).update(status=TaskResultStatus.RUNNING)  # this worker's
    read_ahead_module.next_document_read_ahead(ingest_document)
    assert len(handed) == 1  # alone: the next one is handed over
    DBTaskResult.objects.filter(pk=second.pk).update(status=TaskResultStatus.RUNNING)  # another worker's
    read_ahead_module.next_document_read_ahead(ingest_document)
    assert len(handed) == 1
