"""Issue 22, must-have 4: a failure caused by the file is permanent at once, in plain words;
only an outage (database or storage unreachable) is retried; passages are bounded in
characters, so no file becomes one giant passage, index entry or page."""

import random
import string

import psycopg.errors
import pytest
from django.core.files.base import ContentFile
from django.db import DataError, OperationalError, connection

from workspaces.documents import failures, ingestion, limits
from workspaces.documents.blocks import Block, blocks_text
from workspaces.documents.models import DocumentStatus
from workspaces.documents.passages import Passage, split_passages
from workspaces.documents.services import document_ingest

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def no_space_text(characters: int) -> str:
    """Letters without a single space or line break, like base64 pasted into a .txt."""
    rng = random.Random(22)
    return "".join(rng.choices(string.ascii_letters, k=characters))


def ingest(workspace, data: str, name: str):
    document = document_ingest(workspace=workspace, uploaded_file=ContentFile(data.encode(), name=name), filename=name)
    document.refresh_from_db()
    return document


def django_error(django_class, driver_error):
    """A database error as Django raises it: its driver's error is the cause."""
    try:
        raise django_class(str(driver_error)) from driver_error
    except django_class as error:
        return error


def comma_separated_line(characters: int) -> str:
    text = no_space_text(characters)
    return ",".join(text[i:i + 7] for i in range(0, characters, 7)) + "\n"


@pytest.mark.slow  # 2 MB files read whole: 1-2 s each
@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("base64.txt", lambda: no_space_text(2 * MB)),
        ("export.csv", lambda: comma_separated_line(2 * MB)),
        ("one-cell.csv", lambda: "Value\n" + no_space_text(2 * MB) + "\n"),
    ],
)
def test_a_file_of_one_enormous_line_becomes_ready_in_bounded_passages(workspace, name, build):
    data = build()
    # Found: a 24 MB text with no spaces became one 24 MB passage (and on PostgreSQL, a one-line CSV
    # failed with "string is too long for tsvector", retried 3 times as an outage).
    document = ingest(workspace, data, name)
    assert document.status == DocumentStatus.READY, document.status_reason
    passages = list(document.passages.all())
    assert len(passages) > 100
    assert max(len(passage.text) for passage in passages) <= limits.PASSAGE_MAX_CHARACTERS
    shown = "".join(block["text"] for passage in passages for block in passage.blocks if "text" in block)
    if name.endswith(".txt"):
        assert shown == data  # cut, never lost
    cell = max(data[100_000:100_050].split(","), key=len)
    assert document.passages.filter(text__contains=cell).exists()


def test_the_reading_page_of_a_file_without_spaces_stays_within_its_word_budget(member_client, workspace):
    document = ingest(workspace, no_space_text(2 * MB), "base64.txt")
    page = member_client.get(document.get_absolute_url())
    assert page.status_code == 200
    assert len(page.content) < 2 * MB // 4


def test_a_word_longer_than_the_bound_is_cut_and_counted_as_several_words():
    word = "x" * (limits.PASSAGE_MAX_WORD_CHARACTERS * 3)
    passages = split_passages([Block("paragraph", text=f"short {word} end")], size_words=200, overlap_words=40)
    assert passages[0].word_count == 5
    assert passages[0].text.replace(" ", "") == f"short{word}end"


def test_a_passage_of_many_long_words_ends_at_the_character_bound():
    text = " ".join("y" * 90 for _ in range(1000))
    passages = split_passages([Block("paragraph", text=text)], size_words=2000, overlap_words=500)
    assert all(len(passage.text) <= limits.PASSAGE_MAX_CHARACTERS for passage in passages)
    assert " ".join(block.text for passage in passages for block in passage.blocks) == text


def test_a_heading_longer_than_a_heading_can_be_is_read_as_a_paragraph(workspace):
    text = "# " + " ".join(["heading"] * 100_000) + "\n\n" + "\n\n".join(["A short paragraph."] * 50)
    document = ingest(workspace, text, "long-heading.md")
    assert document.status == DocumentStatus.READY
    assert max(len(p.heading_path) for p in document.passages.all()) <= limits.HEADING_MAX_CHARACTERS


@pytest.mark.parametrize(
    "error",
    [
        django_error(DataError, psycopg.errors.StringDataRightTruncation("value too long")),
        django_error(OperationalError, psycopg.errors.ProgramLimitExceeded(
            "string is too long for tsvector (25165824 bytes, max 1048575 bytes)"
        )),
    ],
    ids=["data-error", "tsvector-limit"],
)
def test_a_database_error_caused_by_the_content_fails_the_document_at_once_in_plain_words(
    workspace, monkeypatch, error
):
    def refused_by_the_database(**kwargs):
        raise error

    monkeypatch.setattr(ingestion, "extract_document", refused_by_the_database)
    document = ingest(workspace, "Fine words.", "notes.txt")
    assert document.status == DocumentStatus.FAILED
    assert document.attempts == 1  # never retried
    assert document.status_reason == failures.CONTENT_REFUSED_BY_DATABASE
    assert "unavailable" not in document.status_reason and "tsvector" not in document.status_reason


@pytest.mark.parametrize(
    "error",
    [
        django_error(OperationalError, psycopg.errors.ConnectionFailure("server closed the connection")),
        django_error(OperationalError, psycopg.errors.AdminShutdown("terminating connection")),
        django_error(OperationalError, psycopg.OperationalError("connection refused")),
        ConnectionError("storage unreachable"),
    ],
    ids=["connection-failure", "admin-shutdown", "no-connection", "storage"],
)
def test_an_outage_is_still_retried(workspace, monkeypatch, error):
    def unreachable(**kwargs):
        raise error

    monkeypatch.setattr(ingestion, "extract_document", unreachable)
    document = ingest(workspace, "Fine words.", "notes.txt")
    assert document.status == DocumentStatus.FAILED and document.attempts == 3  # the immediate backend retries at once
    assert document.status_reason.startswith("Processing failed 3 times because a service was unavailable")


@pytest.mark.slow  # an unbounded passage of several MB
def test_a_passage_longer_than_the_database_index_takes_fails_at_once_without_retry(workspace, monkeypatch):
    """PostgreSQL's tsvector holds at most 1 MB: the unbounded passage fails the document at once
    (found: three retries as "a service was unavailable"). SQLite's full-text index takes it."""
    def one_passage(blocks, **kwargs):  # the splitter as it was: no bound on characters
        return [Passage(text=blocks_text(blocks), blocks=blocks)]

    monkeypatch.setattr(ingestion, "split_passages", one_passage)
    document = ingest(workspace, comma_separated_line(2 * MB), "export.csv")
    assert document.attempts == 1
    if connection.vendor == "postgresql":
        assert document.status == DocumentStatus.FAILED
        assert document.status_reason == failures.CONTENT_REFUSED_BY_DATABASE
    else:
        assert document.status == DocumentStatus.READY
