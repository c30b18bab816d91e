import csv
import io
import json
import tracemalloc
from datetime import datetime

import pytest

from tests.factories import UserFactory, WorkspaceChatFactory
from workspaces.chats import export
from workspaces.chats.export import EXPORT_FIELDS, chat_export_row, chats_csv_response, chats_json_response
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

SOURCES = [
    {"doc_id": "7d9f", "filename": "handbook.pdf", "position": 3, "score": 0.9},
    {"doc_id": "1a2b", "filename": "policy.txt", "position": 1, "score": 0.5},
]


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response_or_text) -> list[dict]:
    text = response_or_text if isinstance(response_or_text, str) else body_of(response_or_text)
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def chat(workspace, user):
    return WorkspaceChatFactory(
        workspace=workspace,
        user=user,
        prompt='How many holidays, "roughly", in one year?\nAnd sick days?',
        response={"text": "25 days, see [1].", "sources": SOURCES, "provider": "openai-compatible"},
    )


def test_csv_round_trips_every_field_with_a_plain_header(chat, workspace):
    response = chats_csv_response(WorkspaceChat.objects.all(), "chats.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body_of(response)
    assert text.startswith("id,created_at,workspace,username,prompt,answer,sources,provider,include,state,"
                           "thread,thread_title,version_of,rating,feedback\r\n")
    (row,) = csv_rows(text)
    assert row == {
        "id": str(chat.id),
        "created_at": chat.created_at.isoformat(),
        "workspace": workspace.slug,
        "username": "mia",
        "prompt": 'How many holidays, "roughly", in one year?\nAnd sick days?',
        "answer": "25 days, see [1].",
        "sources": "handbook.pdf #3; policy.txt #1",
        "provider": "openai-compatible",
        "include": "True",
        "state": "complete",
        "thread": str(chat.thread_id),
        "thread_title": chat.thread.title,
        "version_of": "",
        "rating": "",
        "feedback": "",
    }
    assert datetime.fromisoformat(row["created_at"]) == chat.created_at


def test_json_is_a_valid_array_with_typed_values(chat, workspace):
    response = chats_json_response(WorkspaceChat.objects.all(), "chats.json")
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    (row,) = json.loads(body_of(response))
    assert list(row) == list(EXPORT_FIELDS)
    assert row["id"] == chat.id
    assert row["include"] is True
    assert row["workspace"] == workspace.slug
    assert row["sources"] == "handbook.pdf #3; policy.txt #1"
    assert row["prompt"] == chat.prompt


def test_an_empty_export_is_a_header_in_csv_and_an_empty_array_in_json():
    assert body_of(chats_csv_response(WorkspaceChat.objects.none(), "c.csv")) == ",".join(EXPORT_FIELDS) + "\r\n"
    assert json.loads(body_of(chats_json_response(WorkspaceChat.objects.none(), "c.json"))) == []


def test_rows_come_in_id_order_whatever_the_queryset_order(workspace, user):
    chats = WorkspaceChatFactory.create_batch(3, workspace=workspace, user=user)
    rows = json.loads(body_of(chats_json_response(WorkspaceChat.objects.order_by("-id"), "c.json")))
    assert [row["id"] for row in rows] == [chat.id for chat in chats]


def test_only_the_given_queryset_is_exported(workspace, user, other_user):
    mine = WorkspaceChatFactory(workspace=workspace, user=user)
    WorkspaceChatFactory(workspace=workspace, user=other_user)
    queryset = WorkspaceChat.objects.history_for(user=user, workspace=workspace)
    assert [row["id"] for row in csv_rows(chats_csv_response(queryset, "c.csv"))] == [str(mine.id)]


def test_a_deleted_users_chat_is_exported_with_an_empty_username(workspace):
    leaver = UserFactory(username="leaver")
    chat = WorkspaceChatFactory(workspace=workspace, user=leaver)
    leaver.delete()
    (csv_row,) = csv_rows(chats_csv_response(WorkspaceChat.objects.all(), "c.csv"))
    (json_row,) = json.loads(body_of(chats_json_response(WorkspaceChat.objects.all(), "c.json")))
    assert csv_row["id"] == str(chat.id) and csv_row["username"] == ""
    assert json_row["username"] == ""


@pytest.mark.parametrize(
    "dangerous",
    ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_csv_cells_that_would_run_as_formulas_get_a_leading_quote(workspace, user, dangerous):
    WorkspaceChatFactory(
        workspace=workspace,
        user=user,
        prompt=dangerous,
        response={"text": dangerous, "sources": [{"filename": dangerous, "position": 1}], "provider": dangerous},
    )
    (row,) = csv_rows(chats_csv_response(WorkspaceChat.objects.all(), "c.csv"))
    for field in ("prompt", "answer", "sources", "provider"):
        assert row[field].startswith("'" + dangerous[0]), field
        assert row[field][1:].startswith(dangerous)


def test_json_keeps_formula_like_text_unchanged(workspace, user):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="=1+1")
    (row,) = json.loads(body_of(chats_json_response(WorkspaceChat.objects.all(), "c.json")))
    assert row["prompt"] == "=1+1"


def test_text_with_an_inner_equals_sign_is_left_alone(workspace, user):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="is a=b?")
    (row,) = csv_rows(chats_csv_response(WorkspaceChat.objects.all(), "c.csv"))
    assert row["prompt"] == "is a=b?"


def test_unusual_responses_export_as_empty_cells_not_errors(workspace, user):
    WorkspaceChatFactory(workspace=workspace, user=user, response={"sources": ["odd", {"filename": "a.txt"}]})
    WorkspaceChatFactory(workspace=workspace, user=user, response=["not", "a", "dict"])
    rows = csv_rows(chats_csv_response(WorkspaceChat.objects.all(), "c.csv"))
    assert [(row["answer"], row["sources"], row["provider"]) for row in rows] == [("", "a.txt", ""), ("", "", "")]


def test_the_download_is_an_attachment_with_the_given_filename_and_not_cached():
    response = chats_csv_response(WorkspaceChat.objects.none(), "research-chats-2025-01-31.csv")
    assert response["Content-Disposition"] == 'attachment; filename="research-chats-2025-01-31.csv"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_filename_with_quotes_or_accents_cannot_break_the_header():
    response = chats_json_response(WorkspaceChat.objects.none(), 'é"x.json')
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%C3%A9%22x.json"


def test_no_query_runs_until_the_response_is_streamed(chat, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = chats_csv_response(WorkspaceChat.objects.all(), "c.csv")
    assert len(csv_rows(response)) == 1


@pytest.mark.slow
def test_three_thousand_chats_stream_in_a_fixed_number_of_queries_and_bounded_memory(
    workspace, django_assert_max_num_queries, monkeypatch
):
    """Workspace and user are joined, not fetched per row (3,000 rows would be 6,000 extra queries),
    and rows are read chunk by chunk: peak memory stays far below the size of the whole export."""
    monkeypatch.setattr(export, "ROWS_PER_QUERY", 100)
    users = UserFactory.create_batch(3)
    long_prompt = "word " * 400
    WorkspaceChat.objects.bulk_create(
        WorkspaceChatFactory.build(workspace=workspace, user=users[n % 3], prompt=f"{n} {long_prompt}")
        for n in range(3000)
    )

    tracemalloc.start()
    try:
        with django_assert_max_num_queries(1):
            response = chats_csv_response(WorkspaceChat.objects.all(), "c.csv")
            assert response.streaming
            pieces = lines = exported_chars = 0
            for piece in response.streaming_content:
                pieces += 1
                lines += piece.count(b"\r\n")
                exported_chars += len(piece)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert lines == 1 + 3000
    assert pieces > 10, "the export arrives in many pieces, not one string"
    assert exported_chars > 6_000_000
    assert peak < exported_chars / 3, f"peak {peak:,} bytes for a {exported_chars:,}-byte export"


def test_the_admins_export_never_names_a_conversation_whose_first_question_was_private(workspace, user):
    """A conversation's title is its first question: asked while chats were private, it must not
    reach the admin through a later, readable chat of the same conversation."""
    secret = WorkspaceChatFactory(workspace=workspace, user=user, prompt="my secret salary question", private=True)
    secret.thread.title = secret.prompt
    secret.thread.save()
    later = WorkspaceChatFactory(workspace=workspace, user=user, prompt="and the policy?", private=False,
                                 thread=secret.thread)
    row = chat_export_row(later, hide_private=True)
    assert row["prompt"] == "and the policy?" and row["thread_title"] == ""
    assert chat_export_row(secret, hide_private=True)["prompt"] == ""
