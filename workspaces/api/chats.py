"""Search, chats (ask, stream, history, clear) and the caller's usage: the site's services,
limits and privacy rules (a member reads only their own chats, as on the chat page)."""

import json
from contextlib import closing
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.http import StreamingHttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from workspaces import permissions
from workspaces.api.access import workspace_for
from workspaces.api.documents import PageQuery
from workspaces.api.pagination import page_by_id
from workspaces.api.schemas import AskIn, ChatOut, ChatPage, ClearOut, SearchOut, UsageOut
from workspaces.chats import threads
from workspaces.chats.limits import daily_quota
from workspaces.chats.models import WorkspaceChat
from workspaces.chats.services import chat_answer, chat_ask, chat_clear, chat_start, chat_version_base
from workspaces.documents.locations import citation_label
from workspaces.documents.models import passage_url
from workspaces.retrieval.query import MAX_QUERY_CHARS
from workspaces.retrieval.search import search_passages

router = Router(tags=["search, chats and usage"])

MAX_SEARCH_HITS = 50


class SearchQuery(Schema):
    q: str = Field(max_length=MAX_QUERY_CHARS, description="Words; \"quoted phrases\" must occur as written.")
    limit: int = Field(20, ge=1, le=MAX_SEARCH_HITS)


@router.get("/workspaces/{slug}/search", response=SearchOut, summary="Ranked passages with file, page and section")
def search(request, slug: str, query: Query[SearchQuery]):
    workspace = workspace_for(request, slug, permissions.SEARCH)
    text = query.q.replace("\x00", "").strip()
    hits = search_passages(workspace=workspace, query=text, limit=query.limit)
    return {"query": text, "hits": [{
        "doc_id": hit.doc_id, "filename": hit.filename, "position": hit.position,
        "label": citation_label(filename=hit.filename, page_start=hit.page_start, page_end=hit.page_end,
                                section=hit.section),
        "page_start": hit.page_start, "page_end": hit.page_end, "section": hit.section,
        "heading_path": hit.heading_path, "text": hit.text, "score": hit.score, "relevance": hit.relevance,
        "url": request.build_absolute_uri(hit.get_absolute_url()),
    } for hit in hits]}


def chat_out(request, chat: WorkspaceChat, live_doc_ids: set[str]) -> dict:
    answer = chat.answer
    sources = [{
        "number": number, "doc_id": source.doc_id, "filename": source.filename, "position": source.position,
        "page_start": source.page_start, "page_end": source.page_end, "section": source.section,
        "label": source.label, "quote": source.quote, "score": source.score,
        "url": request.build_absolute_uri(passage_url(
            workspace_slug=chat.workspace.slug, doc_id=source.doc_id, position=source.position
        )) if source.doc_id in live_doc_ids and source.position is not None else None,
    } for number, source in enumerate(answer.sources, start=1)]
    return {
        "id": chat.pk, "prompt": chat.prompt, "answer": answer.text, "state": chat.shown_state,
        "reason": answer.reason, "sources": sources, "provider": answer.provider, "model": answer.model,
        "usage": answer.usage, "created_at": chat.created_at, "thread": chat.thread_id,
        "version_of": chat.version_of_id, "rating": chat.rating, "note": answer.note,
    }


def live_doc_ids_of(workspace, chats) -> set[str]:
    cited = set().union(*(chat.answer.cited_doc_ids for chat in chats))
    if not cited:
        return set()
    return {str(doc_id) for doc_id in workspace.documents.filter(doc_id__in=cited).values_list("doc_id", flat=True)}


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


def _events(request, chat):
    yield _event("start", {"id": chat.pk})
    with closing(chat_answer(chat=chat)) as deltas:
        for delta in deltas:
            yield _event("token", {"text": delta})
    yield _event("end", chat_out(request, chat, chat.answer.cited_doc_ids))  # just found


ASK_RESPONSES = {200: ChatOut}


@router.post("/workspaces/{slug}/chats", response=ASK_RESPONSES, summary="Ask: the answer and its sources",
             openapi_extra={"responses": {200: {"content": {"text/event-stream": {
                 "schema": {"type": "string"}, "example": "event: start\ndata: {\"id\": 1}\n\n"}}}}})
def ask(request, slug: str, body: AskIn, stream: bool = False):
    """`stream` (in the body or the query) answers as Server-Sent Events: `start` {id}, `token`
    {text} as the answer arrives, `end` (the chat as the non-streaming answer gives it)."""
    workspace = workspace_for(request, slug, permissions.ASK)
    where = asked_in(request, workspace, body)
    if stream or body.stream:
        chat = chat_start(workspace=workspace, user=request.user, prompt=body.prompt, **where)
        chat.workspace = workspace
        response = StreamingHttpResponse(_events(request, chat), content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
    chat = chat_ask(workspace=workspace, user=request.user, prompt=body.prompt, **where)
    chat.workspace = workspace
    return chat_out(request, chat, chat.answer.cited_doc_ids)  # just found in the workspace's documents


def asked_in(request, workspace, body: AskIn) -> dict:
    """Where the question goes, as `chat_start` takes it (see AskIn)."""
    if body.version_of is not None:
        return {"version_of": chat_version_base(workspace=workspace, user=request.user, pk=body.version_of)}
    if body.thread == 0:
        return {}
    if body.thread is not None:
        return {"thread": threads.thread_get(workspace=workspace, user=request.user, pk=body.thread)}
    return {"continue_latest": True}


class HistoryQuery(PageQuery):
    thread: int | None = Field(None, description="Only the chats of this conversation.")


@router.get("/workspaces/{slug}/chats", response=ChatPage, summary="Your chat history here, newest first")
def history(request, slug: str, page: Query[HistoryQuery]):
    workspace = workspace_for(request, slug, permissions.ASK)
    chats = WorkspaceChat.objects.history_for(user=request.user, workspace=workspace)
    if page.thread is not None:
        chats = chats.filter(thread=threads.thread_get(workspace=workspace, user=request.user, pk=page.thread))
    rows, next_cursor = page_by_id(chats, cursor=page.cursor, limit=page.limit)
    for chat in rows:
        chat.workspace = workspace
    live = live_doc_ids_of(workspace, rows)
    return {"items": [chat_out(request, chat, live) for chat in rows], "next_cursor": next_cursor}


@router.delete("/workspaces/{slug}/chats", response=ClearOut,
               summary="Clear your chat history here (every conversation)")
def clear(request, slug: str):
    workspace = workspace_for(request, slug, permissions.ASK)
    return {"cleared": chat_clear(workspace=workspace, user=request.user)}


def _tokens(chats) -> dict:
    totals = chats.aggregate(prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"))
    return {key: value or 0 for key, value in totals.items()}


@router.get("/usage", response=UsageOut, summary="Your questions and tokens, and the limits that apply")
def usage(request):
    user = request.user
    now = timezone.now()
    quota = daily_quota(user=user, now=now)
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = WorkspaceChat.objects.filter(user=user, created_at__gte=day_start)
    month = _tokens(WorkspaceChat.objects.filter(user=user, created_at__gte=now - timedelta(days=30)))
    day = _tokens(today)
    return {
        "username": user.username, "questions_today": quota.used if quota else today.count(),
        "daily_limit": quota.limit if quota else None, "questions_left_today": quota.left if quota else None,
        "resets_at": quota.resets_at if quota else None,
        "questions_per_minute": settings.CHAT_RATE_LIMIT_PER_MINUTE or None,
        "prompt_tokens_today": day["prompt"], "completion_tokens_today": day["completion"],
        "prompt_tokens_30_days": month["prompt"], "completion_tokens_30_days": month["completion"],
    }
