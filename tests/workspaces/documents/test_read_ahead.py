"""The next document read while the current one is written (issue 30): the worker hands the next
ready task's file to its extraction child, and takes the answer when it claims that document; a
document it did not go on to costs nothing but the child."""

import io
import os

import pytest
from django.core.files.base import ContentFile

from tests.task_worker import DATABASE_TASKS, run_worker
from tests.workspaces.documents.sample_files import pdf_bytes
from workspaces.documents import read_ahead as read_ahead_module
from workspaces.documents import sandbox
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
