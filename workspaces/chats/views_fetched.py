"""What the chat page's script fetches: an answer streamed as Server-Sent Events, one turn shown
alone (after Stop), a source's card. The page itself: views.py."""

import json
import time
from contextlib import closing

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.generic import View

from accounts.base import DocentError
from accounts.http import status_for
from workspaces import permissions
from workspaces.chats import threads
from workspaces.chats.citations import answer_html, cited_sources
from workspaces.chats.forms import AskForm
from workspaces.chats.limits import ChatRefused, daily_quota
from workspaces.chats.models import ChatThread, WorkspaceChat
from workspaces.chats.services import chat_answer, chat_start
from workspaces.chats.views import asked_day, asked_where, live_doc_ids, thread_url
from workspaces.documents.models import passage_url
from workspaces.documents.reading import quoted_passage_items
from workspaces.views import WorkspaceMixin

# While an answer streams, its HTML is rendered again at most this often (and at each new line).
SNAPSHOT_SECONDS = 0.1


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


class ChatStreamView(WorkspaceMixin, View):
    """POST a question (with the form's `thread` or `version_of`), get its answer as Server-Sent
    Events read with fetch: `start` (the stored chat, its thread and its buttons), `token` (the text as it arrives
    and, now and then, `html`: everything so far rendered and sanitised as the stored answer
    will be, citations as chips), `end` (the state, the answer's final HTML, the daily quota).
    A refusal is a JSON {"error": message} with the page's status. The page's form POSTs to
    ChatView instead when JavaScript is off."""

    required_action = permissions.ASK

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST)
        try:
            if not form.is_valid():
                raise ChatRefused(form.errors["prompt"][0])
            where = asked_where(request, self.workspace)
            chat = chat_start(workspace=self.workspace, user=request.user, prompt=form.cleaned_data["prompt"],
                              **where)
        except DocentError as refusal:
            return JsonResponse({"error": refusal.message}, status=status_for(refusal))
        new_thread = not where  # the form's empty `thread`: a conversation this question starts
        response = StreamingHttpResponse(self._events(chat, new_thread=new_thread),
                                         content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx and friends: pass each event on at once
        return response

    def _events(self, chat, *, new_thread: bool):
        yield _event("start", self._started(chat, new_thread=new_thread))
        text, rendered_at, cited = "", 0.0, None
        with closing(chat_answer(chat=chat)) as deltas:
            for delta in deltas:
                text += delta
                data = {"text": delta}
                if "\n" in delta or time.monotonic() - rendered_at >= SNAPSHOT_SECONDS:
                    # The sources are the workspace's own passages, just retrieved: all live.
                    cited = cited or cited_sources(chat, self.workspace, chat.answer.cited_doc_ids)
                    data["html"] = str(answer_html(text, cited))
                    rendered_at = time.monotonic()
                yield _event("token", data)
        html = render_to_string("workspaces/chats/_turn.html", answer_context(self.workspace, chat),
                                request=self.request)
        quota = daily_quota(user=self.request.user)
        yield _event("end", {
            "state": chat.state, "reason": chat.answer.reason, "html": html,
            "quota": None if quota is None else {"left": quota.left, "message": quota.message},
        })

    def _started(self, chat, *, new_thread: bool) -> dict:
        """The `start` event: the chat and its thread, and for a conversation it starts what the
        page shows of it without a reload: its row's day, how many conversations the list now
        holds, and the buttons that act on them all."""
        started = {
            "id": chat.pk, "turn": chat.version_of_id or chat.pk, "thread": chat.thread_id,
            "title": chat.thread.title, "url": thread_url(self.workspace, chat.thread),
            "tools": render_to_string("workspaces/chats/_thread_tools.html",
                                      {"thread": chat.thread, "workspace": self.workspace}, request=self.request),
        }
        if new_thread:
            started["day"] = asked_day(chat.thread.last_asked_at)
            started["threads_total"] = ChatThread.objects.listed_for(
                user=self.request.user, workspace=self.workspace).count()
            started["actions"] = render_to_string("workspaces/chats/_chat_actions.html",
                                                  {"workspace": self.workspace, "has_threads": True},
                                                  request=self.request)
        return started


def answer_context(workspace, chat) -> dict:
    """What _turn.html needs for one turn shown alone (streamed, or fetched after a stop): the cited
    documents read afresh (a stream holds `workspace` as it was read when the question came)."""
    turn = threads.turns_of(thread=chat.thread, roots=[chat.version_of or chat], shown_pk=chat.pk)[0] \
        if chat.thread_id else None
    return {"chat": chat, "turn": turn, "workspace": workspace,
            "live_doc_ids": live_doc_ids(workspace, [chat], kept=False)}


class ChatAnswerView(WorkspaceMixin, View):
    """One of the asker's answers as the page shows it (an HTML fragment): the page fetches it
    after the asker pressed Stop, to show the stored answer with its actions."""

    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        chats = WorkspaceChat.objects.history_for(user=request.user, workspace=self.workspace)
        chat = get_object_or_404(chats.select_related("thread", "version_of"), pk=kwargs["pk"])
        html = render_to_string("workspaces/chats/_turn.html", answer_context(self.workspace, chat),
                                request=request)
        response = HttpResponse(html)
        response["X-Chat-State"] = chat.shown_state
        return response


class ChatSourceView(WorkspaceMixin, View):
    """Source `number` of one of the asker's own chats, as a small HTML fragment for the
    page's popover: the cited passage's text and a link to it in its document."""

    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        chats = WorkspaceChat.objects.history_for(user=request.user, workspace=self.workspace)
        chat = get_object_or_404(chats, pk=kwargs["pk"])
        sources = chat.answer.sources
        if not 1 <= kwargs["number"] <= len(sources):
            raise Http404("This answer has no such source.")
        source = sources[kwargs["number"] - 1]
        live = source.doc_id in live_doc_ids(self.workspace, [chat])
        # A deleted document's passage is gone: the quote stands in (quoted_passage_items finds no row).
        items = quoted_passage_items(workspace=self.workspace, doc_id=source.doc_id, position=source.position,
                                     quote=source.quote)
        return render(request, "workspaces/chats/_source.html", {
            "number": kwargs["number"], "source": source, "live": live, "items": items,
            "passage_href": passage_url(workspace_slug=self.workspace.slug, doc_id=source.doc_id,
                                        position=source.position) if live else "",
        })
