"""What the API answers, as typed schemas: the OpenAPI document is generated from these."""

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """An RFC 9457 problem detail; `code` is one of Docent's error codes."""

    type: str
    title: str
    status: int
    detail: str
    code: str


class WorkspaceOut(Schema):
    slug: str
    name: str
    description: str
    role: str | None = Field(description="The key's user's role in the workspace; null for staff who are not members.")
    actions: list[str] = Field(description="What this key may do here now (see, search, ask, upload, …).")
    document_count: int
    url: str


class WorkspacePage(Schema):
    items: list[WorkspaceOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class DocumentOut(Schema):
    doc_id: UUID
    filename: str
    kind: str
    size: int | None
    status: str = Field(description="queued, extracting, indexing, ready or failed.")
    label: str
    processing: bool
    reindexing: bool
    reason: str = Field(description="Why processing failed, when it did.")
    progress_done: int
    progress_total: int
    created_at: datetime
    url: str


class DocumentPage(Schema):
    items: list[DocumentOut]
    next_cursor: str | None


class UploadRefusal(Schema):
    filename: str
    code: str
    detail: str


class UploadOut(Schema):
    documents: list[DocumentOut]
    refused: list[UploadRefusal]


class ReindexOut(Schema):
    queued: int = Field(description="1 when the document was queued for re-indexing; 0 when it is not ready.")
    document: DocumentOut


class SearchHitOut(Schema):
    doc_id: UUID
    filename: str
    position: int
    label: str = Field(description="How a citation names the place: file, pages and section.")
    page_start: int | None
    page_end: int | None
    section: str
    heading_path: str
    text: str
    score: float = Field(description="Relative to the best hit (1.0).")
    relevance: float = Field(description="0–1, comparable across searches.")
    url: str


class SearchOut(Schema):
    query: str
    hits: list[SearchHitOut]


class AskIn(Schema):
    prompt: str = Field(max_length=100_000)
    stream: bool = Field(False, description="Answer as Server-Sent Events (start, token…, end).")
    thread: int | None = Field(
        None, description="Ask in this conversation of yours. Left out: your latest conversation here (a new one "
        "when you have none); 0: a new conversation. Earlier turns of the conversation are the answer's history.")
    version_of: int | None = Field(
        None, description="One of your chats: answer its question again (or this `prompt`, an edited question) as "
        "another version of that turn, kept beside the earlier answer.")


class SourceOut(Schema):
    number: int
    doc_id: str
    filename: str
    position: int | None
    page_start: int | None
    page_end: int | None
    section: str
    label: str
    quote: str
    score: float
    url: str | None = Field(description="The passage on the site; null when the document is gone.")


class TokenUsage(Schema):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatOut(Schema):
    id: int
    prompt: str
    answer: str
    state: str = Field(description="answering, complete, failed or stopped.")
    reason: str
    sources: list[SourceOut]
    provider: str
    model: str
    usage: TokenUsage
    created_at: datetime
    thread: int | None = Field(description="The conversation the chat belongs to.")
    version_of: int | None = Field(description="The turn's first chat, when this one is a later answer to it.")
    rating: int | None = Field(description="Your thumbs up (1) or down (-1), if any.")
    note: str = Field("", description="Why the answer is not the usual one (the model failed: built-in answer).")


class ThreadOut(Schema):
    id: int
    title: str
    created_at: datetime
    last_asked_at: datetime


class ThreadPage(Schema):
    items: list[ThreadOut]
    next_cursor: str | None


class ThreadRenameIn(Schema):
    title: str = Field(max_length=200)


class FeedbackIn(Schema):
    rating: int | None = Field(description="1 (thumbs up), -1 (thumbs down) or null (none).")
    comment: str = Field("", max_length=10_000)


class ChatPage(Schema):
    items: list[ChatOut]
    next_cursor: str | None


class ClearOut(Schema):
    cleared: int


class UsageOut(Schema):
    username: str
    questions_today: int
    daily_limit: int | None = Field(description="null: no daily limit.")
    questions_left_today: int | None
    resets_at: datetime | None
    questions_per_minute: int | None = Field(description="null: no per-minute limit.")
    prompt_tokens_today: int
    completion_tokens_today: int
    prompt_tokens_30_days: int
    completion_tokens_30_days: int
