"""One extraction child reads document after document (issue 30: a fork per document cost more
than reading a 10-page PDF), and every safety property of a child per document still holds:
each document has its own time and memory caps, and a child that fails is replaced."""

import io
import os
import resource
import time

import pytest

from tests.workspaces.documents.bombs import docx_of_paragraphs
from tests.workspaces.documents.sample_files import pdf_bytes
from workspaces.documents import limits, sandbox, sandbox_child
from workspaces.documents.refusals import DocumentRefused

HONEST_PDF = pdf_bytes(["Page one", "Page two"])


def child_pid_reader(*, stream, name, **_options):
    """A reader that answers with the pid of the process it runs in (a refusal keeps the child)."""
    raise DocumentRefused(str(os.getpid()), code="corrupt")


def reading_pid(name: str = "file.txt") -> int:
    with pytest.raises(DocumentRefused) as answer:
        sandbox.extract_bounded(stream=io.BytesIO(b"text"), name=name)
    return int(answer.value.message)


@pytest.fixture
def pid_reader(monkeypatch):
    sandbox.reader_stop()  # the next child is forked with the reader below
    monkeypatch.setattr(sandbox_child, "extract_text", child_pid_reader)


def test_one_child_reads_document_after_document(pid_reader):
    first, second, third = reading_pid(), reading_pid(), reading_pid()
    assert first == second == third != os.getpid()


def test_a_fresh_child_takes_over_after_extraction_child_documents(pid_reader, settings):
    settings.EXTRACTION_CHILD_DOCUMENTS = 2
    pids = [reading_pid() for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    settings.EXTRACTION_CHILD_DOCUMENTS = 1
    assert len({reading_pid(), reading_pid()}) == 2


def test_after_a_document_past_the_time_limit_the_next_one_is_read_by_a_fresh_child(settings):
    settings.EXTRACTION_TIMEOUT_SECONDS = 0.3
    with pytest.raises(DocumentRefused) as refused:
        sandbox.extract_bounded(stream=io.BytesIO(docx_of_paragraphs(limits.DOCX_MAX_BLOCKS - 1)), name="slow.docx")
    assert refused.value.message == sandbox.TOO_SLOW.format(name="slow.docx", limit="0.3")
    extracted = sandbox.extract_bounded(stream=io.BytesIO(HONEST_PDF), name="two.pdf")
    assert extracted.text == "Page one\n\nPage two"


def test_after_a_document_past_the_memory_limit_the_next_one_is_read_by_a_fresh_child(settings):
    assert sandbox.extract_bounded(stream=io.BytesIO(HONEST_PDF), name="before.pdf").page_count == 2
    before = sandbox._threads.child.process.pid
    settings.EXTRACTION_MEMORY_MB = 5
    with pytest.raises(DocumentRefused) as refused:
        sandbox.extract_bounded(stream=io.BytesIO(b"lorem ipsum dolor sit amet " * 3_000_000), name="big.txt")
    assert refused.value.message == sandbox.TOO_MUCH_MEMORY.format(name="big.txt", limit=5)
    settings.EXTRACTION_MEMORY_MB = 1024
    assert sandbox.extract_bounded(stream=io.BytesIO(HONEST_PDF), name="after.pdf").page_count == 2
    assert sandbox._threads.child.process.pid != before


def test_a_child_that_died_between_two_documents_is_replaced_without_refusing_the_next(pid_reader):
    first = reading_pid()
    os.kill(first, 9)
    time.sleep(0.1)
    assert reading_pid() not in (first, os.getpid())


def cpu_headroom_reader(*, stream, name, **_options):
    """A reader that answers with the CPU seconds its document may still use, then uses 0.25 s."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    headroom = resource.getrlimit(resource.RLIMIT_CPU)[0] - used.ru_utime - used.ru_stime
    started = time.process_time()
    while time.process_time() - started < 0.25:
        pass
    raise DocumentRefused(f"{headroom:.2f}", code="corrupt")


def test_each_document_has_its_own_cpu_time_limit_in_a_child_that_reads_many(monkeypatch, settings):
    """Each of six documents starts with its whole limit before it (within the half second the
    kernel's whole seconds allow), whatever the ones before used (a cap on the child's life
    would leave the sixth 3.75 s of the 5)."""
    sandbox.reader_stop()
    monkeypatch.setattr(sandbox_child, "extract_text", cpu_headroom_reader)
    settings.EXTRACTION_TIMEOUT_SECONDS = 5
    headrooms = []
    for _ in range(6):
        with pytest.raises(DocumentRefused) as answer:
            sandbox.extract_bounded(stream=io.BytesIO(b"text"), name="file.txt")
        headrooms.append(float(answer.value.message))
    assert min(headrooms) >= 4.5
