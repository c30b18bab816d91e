"""Conversations through the API: list, rename, delete one's own threads; rate an answer.
The same services and rules as the chat page (a member reaches only their own threads)."""

from ninja import Query, Router

from workspaces import permissions
from workspaces.api.access import workspace_for
from workspaces.api.chats import chat_out, live_doc_ids_of
from workspaces.api.documents import PageQuery
from workspaces.api.pagination import page_by_id
from workspaces.api.schemas import ChatOut, ClearOut, FeedbackIn, ThreadOut, ThreadPage, ThreadRenameIn
from workspaces.chats import threads
from workspaces.chats.models import ChatThread
from workspaces.chats.services import chat_rate, chat_version_base

router = Router(tags=["conversations"])


def thread_out(thread) -> dict:
    return {"id": thread.pk, "title": thread.title, "created_at": thread.created_at,
            "last_asked_at": thread.last_asked_at}


@router.get("/workspaces/{slug}/threads", response=ThreadPage, summary="Your conversations here, newest first")
def thread_list(request, slug: str, page: Query[PageQuery]):
    workspace = workspace_for(request, slug, permissions.ASK)
    listed = ChatThread.objects.listed_for(user=request.user, workspace=workspace)
    rows, next_cursor = page_by_id(listed, cursor=page.cursor, limit=page.limit)
    return {"items": [thread_out(thread) for thread in rows], "next_cursor": next_cursor}


@router.patch("/workspaces/{slug}/threads/{thread_id}", response=ThreadOut, summary="Rename a conversation")
def thread_rename(request, slug: str, thread_id: int, body: ThreadRenameIn):
    workspace = workspace_for(request, slug, permissions.ASK)
    thread = threads.thread_get(workspace=workspace, user=request.user, pk=thread_id)
    return thread_out(threads.thread_rename(thread=thread, title=body.title))


@router.delete("/workspaces/{slug}/threads/{thread_id}", response=ClearOut,
               summary="Delete a conversation (kept for the chat log)")
def thread_delete(request, slug: str, thread_id: int):
    workspace = workspace_for(request, slug, permissions.ASK)
    thread = threads.thread_get(workspace=workspace, user=request.user, pk=thread_id)
    return {"cleared": threads.thread_delete(thread=thread)}


@router.put("/workspaces/{slug}/chats/{chat_id}/feedback", response=ChatOut,
            summary="Rate an answer: thumbs up or down, an optional comment")
def chat_feedback(request, slug: str, chat_id: int, body: FeedbackIn):
    workspace = workspace_for(request, slug, permissions.ASK)
    chat = chat_version_base(workspace=workspace, user=request.user, pk=chat_id)
    chat = chat_rate(chat=chat, rating=body.rating, comment=body.comment)
    chat.workspace = workspace
    return chat_out(request, chat, live_doc_ids_of(workspace, [chat]))
