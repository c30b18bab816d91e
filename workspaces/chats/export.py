"""Streaming CSV and JSON exports of chats.

Rows are read with a database iterator and written as they come, so an export
of a hundred thousand chats holds one chunk of rows in memory, not all of them.
The caller passes a queryset already scoped to what the requester may export.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from workspaces import permissions

EXPORT_FIELDS = (
    "id", "created_at", "workspace", "username", "prompt", "answer", "sources", "provider", "include", "state",
    "thread", "thread_title", "version_of", "rating", "feedback",
)
ROWS_PER_QUERY = 2000
# Rows are gathered into pieces of about this size before being handed to the
# server: one write per row would mean a hundred thousand tiny writes.
STREAM_PIECE_CHARS = 64 * 1024
# Cells starting with these are read as formulas by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns what it was given (Django's streaming CSV pattern)."""

    def write(self, value):
        return value


def chats_csv_response(queryset, filename: str, *, hide_private: bool = False) -> StreamingHttpResponse:
    """`hide_private`: the admin's export, which leaves out the text of private workspaces' chats."""
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow([_neutralise_formula(value) for value in row.values()])
        for row in _chat_rows(queryset, hide_private=hide_private)
    )
    header = writer.writerow(EXPORT_FIELDS)
    return _attachment(_in_pieces(_prepend(header, lines)), filename, "text/csv; charset=utf-8")


def chats_json_response(queryset, filename: str, *, hide_private: bool = False) -> StreamingHttpResponse:
    rows = _chat_rows(queryset, hide_private=hide_private)
    return _attachment(_in_pieces(_json_array(rows)), filename, "application/json")


def chat_export_row(chat, *, hide_private: bool = False) -> dict:
    """One chat as the plain values both formats write, in EXPORT_FIELDS order; with `hide_private`,
    no prompt, answer or sources of a private chat (workspaces.permissions.chat_text_readable)."""
    if hide_private and not permissions.chat_text_readable(chat):
        return {**chat_export_row(chat), "prompt": "", "answer": "", "sources": "", "thread_title": "", "feedback": ""}
    if hide_private:
        # A conversation's title is its first question, which may have been asked in private (or renamed
        # to anything): the admin's export names conversations by number only, as the chat log does.
        return {**chat_export_row(chat), "thread_title": ""}
    answer = chat.answer
    return {
        "id": chat.id,
        "created_at": chat.created_at.isoformat(),
        "workspace": chat.workspace.slug,
        "username": chat.user.username if chat.user else "",
        "prompt": chat.prompt,
        "answer": answer.text,
        "sources": "; ".join(
            f"{source.label} #{source.position}" if source.position is not None else source.label
            for source in answer.sources
        ),
        "provider": answer.provider,
        "include": chat.include,
        "state": chat.state,  # complete, or why the answer is partial: failed, stopped, answering
        "thread": chat.thread_id,  # the conversation; version_of: the turn's first answer when regenerated
        "thread_title": chat.thread.title if chat.thread_id else "",
        "version_of": chat.version_of_id,
        "rating": {1: "up", -1: "down"}.get(chat.rating, ""),
        "feedback": chat.feedback,
    }


def _chat_rows(queryset, *, hide_private: bool = False) -> Iterator[dict]:
    chats = (
        queryset.select_related("workspace", "user", "thread")
        .only("id", "created_at", "prompt", "response", "include", "state", "private", "workspace__slug",
              "workspace__private_chats", "user__username", "thread__title", "version_of_id", "rating", "feedback")
        .order_by("id")
        .iterator(chunk_size=ROWS_PER_QUERY)
    )
    return (chat_export_row(chat, hide_private=hide_private) for chat in chats)


def _neutralise_formula(value):
    """A leading quote makes a spreadsheet show the cell as text instead of running it (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _json_array(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
    yield "]"


def _prepend(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _in_pieces(parts: Iterable[str]) -> Iterator[str]:
    piece, size = [], 0
    for part in parts:
        piece.append(part)
        size += len(part)
        if size >= STREAM_PIECE_CHARS:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def _attachment(content: Iterator[str], filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Chat logs are private: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
