"""The chat page: one's conversations in a workspace, one of them open, the form to ask;
the answer streamed as Server-Sent Events; a source's card. (Thread and answer actions:
views_actions.py.)"""

import functools
import json
import time
from contextlib import closing

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.generic import ListView, View

from accounts.base import DocentError
from accounts.http import status_for
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.chats import page_queries, threads
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.citations import answer_html, cited_sources
from workspaces.chats.forms import AskForm
from workspaces.chats.limits import ChatRefused, daily_quota
from workspaces.chats.models import ChatThread, WorkspaceChat
from workspaces.chats.services import chat_answer, chat_ask, chat_start, chat_version_base
from workspaces.chats.turn_html import turns_html
from workspaces.documents.models import passage_url
from workspaces.documents.reading import quoted_passage_items
from workspaces.views import LenientPaginationMixin, WorkspaceMixin, page_wanted

THREADS_PER_PAGE = 30
# While an answer streams, its HTML is rendered again at most this often (and at each new line).
SNAPSHOT_SECONDS = 0.1


def thread_url(workspace, thread: ChatThread | None) -> str:
    if thread is None:
        return reverse("workspaces:chat_new", kwargs={"slug": workspace.slug})
    return reverse("workspaces:chat_thread", kwargs={"slug": workspace.slug, "thread": thread.pk})


def thread_rows(workspace, threads_listed, open_thread) -> list[tuple[str, str, str, bool]]:
    """(address, title, day asked, is the open one) of each listed conversation (`threads_listed`: a
    page of them), as the template's `{% url %}` and `|date:"j M Y"` would give them: the address
    pattern reversed once, each day formatted once (a page lists 30). From a later page of the list,
    the address keeps that page, so the conversation opens with its list where it was."""
    marker = 918273645  # the thread's place in the address: its last number (a slug may hold the same digits)
    head, tail = reverse("workspaces:chat_thread", kwargs={"slug": workspace.slug, "thread": marker}).rsplit(
        str(marker), 1
    )
    if threads_listed.number > 1:
        tail = f"{tail}?threads={threads_listed.number}"
    days = {}
    rows = []
    for item in threads_listed:
        asked = localtime(item.last_asked_at)
        if asked.date() not in days:
            days[asked.date()] = date_filter(asked, "j M Y")
        rows.append((f"{head}{item.pk}{tail}", item.title, days[asked.date()],
                     open_thread is not None and item.pk == open_thread.pk))
    return rows


def live_doc_ids(workspace, chats, *, kept: bool = True) -> set[str]:
    """The cited documents that still exist, so deleted ones are marked, not linked (`kept`:
    `page_queries.live_doc_ids`)."""
    cited = set().union(*(StoredAnswer.cited_doc_ids_in(chat.response) for chat in chats))
    return page_queries.live_doc_ids(workspace, cited, kept=kept)


def asked_where(request, workspace) -> dict:
    """The thread and turn a question goes to, from the form's `thread` and `version_of` fields:
    keyword arguments for `chat_start`. ChatRefused/ThreadRefused when they are not the member's.
    An empty `thread` starts a conversation; none at all (a form from before threads) continues
    the latest one."""
    if request.POST.get("version_of"):
        chat = chat_version_base(workspace=workspace, user=request.user, pk=request.POST["version_of"])
        return {"version_of": chat}
    if request.POST.get("thread"):
        return {"thread": threads.thread_get(workspace=workspace, user=request.user, pk=request.POST["thread"])}
    return {} if "thread" in request.POST else {"continue_latest": True}


class ChatView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """One of the asker's conversations (their latest by default, none at /new/): its turns,
    newest page first and oldest-first within the page; the list of their conversations;
    the form to ask. `?v=<chat id>` shows that answer of its turn."""

    required_action = permissions.ASK

    template_name = "workspaces/chats/chat.html"
    context_object_name = "turn_roots"
    paginate_by = 20
    new_thread = False

    def dispatch(self, request, *args, **kwargs):
        self.thread = None
        return super().dispatch(request, *args, **kwargs)

    def open_thread(self):
        if "thread" in self.kwargs:
            try:
                return threads.thread_get(workspace=self.workspace, user=self.request.user, pk=self.kwargs["thread"])
            except threads.ThreadRefused as refusal:
                raise Http404(refusal.message) from None
        if self.new_thread:
            return None
        thread_page = self.thread_page()
        if thread_page.number == 1:  # the latest conversation heads the list's first page: no query of its own
            return thread_page.object_list[0] if thread_page.object_list else None
        return threads.thread_latest(workspace=self.workspace, user=self.request.user)

    def thread_page(self):
        """The page of the asker's conversations the list shows, with their count in the same query
        (Django's count and nearest page when that page has none: past the end, or none yet)."""
        if not hasattr(self, "_thread_page"):
            wanted = page_wanted(self.request.GET.get("threads"))
            rows = page_queries.listed_threads(user=self.request.user, workspace=self.workspace,
                                               bottom=(wanted - 1) * THREADS_PER_PAGE,
                                               size=THREADS_PER_PAGE) if wanted >= 1 else []
            if rows:
                paginator = Paginator(rows, THREADS_PER_PAGE)
                paginator.count = rows[0].threads_total  # Paginator.count is a cached_property: this is its value
                self._thread_page = paginator._get_page(rows, wanted, paginator)
            else:
                listed = ChatThread.objects.listed_for(user=self.request.user, workspace=self.workspace)
                self._thread_page = Paginator(listed, THREADS_PER_PAGE).get_page(self.request.GET.get("threads"))
        return self._thread_page

    def get_queryset(self):
        """The conversation's turns are read by `paginate_queryset`: its own query, or this queryset
        built only when that query finds no page of turns."""
        self.thread = self.thread or self.open_thread()
        return []

    def paginate_queryset(self, queryset, page_size):
        """The page of turns, their later versions and how many turns there are, in one query
        (Django's count and page when the page has no turn: past the end, or none yet)."""
        self.later_versions = None
        wanted = page_wanted(self.request.GET.get(self.page_kwarg))
        if self.thread is not None and wanted >= 1:
            chats = list(page_queries.turn_page_chats(self.thread, bottom=(wanted - 1) * page_size, size=page_size))
            if chats:
                roots = sorted((chat for chat in chats if chat.version_of_id is None), key=lambda chat: -chat.pk)
                paginator = self.get_paginator(roots, page_size)
                paginator.count = chats[0].turns_total  # Paginator.count is a cached_property: this is its value
                self.later_versions = [chat for chat in chats if chat.version_of_id is not None]
                page = paginator._get_page(roots, wanted, paginator)
                return paginator, page, roots, page.has_other_pages()
        roots = WorkspaceChat.objects.none() if self.thread is None else threads.turn_roots(self.thread)
        return super().paginate_queryset(roots, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = self.request.GET.get("v", "")
        turns = []
        if self.thread is not None:
            turns = threads.turns_of(thread=self.thread, roots=list(context["turn_roots"]),
                                     shown_pk=int(shown) if shown.isascii() and shown.isdigit() else None,
                                     later=self.later_versions)
        thread_page = self.thread_page()
        quota = daily_quota(user=self.request.user)
        live = live_doc_ids(self.workspace, [turn.shown for turn in turns])
        for turn, html in zip(turns, turns_html(self.request, self.workspace, turns, live), strict=True):
            turn.html = html
        return {
            **context,
            "thread": self.thread,
            "turns": turns,
            "thread_page": thread_page,
            "thread_rows": thread_rows(self.workspace, thread_page, self.thread),
            "live_doc_ids": live,
            # Only the empty conversation says how many documents there are: counted only then, once.
            "document_total": functools.cache(self.workspace.documents.count),
            "max_prompt_chars": setting_get("max_prompt_chars"),
            "quota": quota,
            "quota_reached": quota is not None and quota.left == 0,
            "prompt": kwargs.get("prompt", ""),
        }

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST)
        prompt = request.POST.get("prompt", "").replace("\x00", "")
        try:
            if not form.is_valid():
                raise ChatRefused(form.errors["prompt"][0])
            where = asked_where(request, self.workspace)
            chat = chat_ask(workspace=self.workspace, user=request.user, prompt=form.cleaned_data["prompt"], **where)
        except DocentError as refusal:
            self.object_list = self.get_queryset()
            context = self.get_context_data(prompt=prompt, error=refusal.message)
            return self.render_to_response(context, status=status_for(refusal))
        return redirect(f"{thread_url(self.workspace, chat.thread)}?v={chat.pk}#{threads.turn_anchor(chat)}")


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
        response = StreamingHttpResponse(self._events(chat), content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx and friends: pass each event on at once
        return response

    def _events(self, chat):
        tools = render_to_string("workspaces/chats/_thread_tools.html",
                                 {"thread": chat.thread, "workspace": self.workspace}, request=self.request)
        yield _event("start", {"id": chat.pk, "turn": chat.version_of_id or chat.pk, "thread": chat.thread_id,
                               "title": chat.thread.title, "url": thread_url(self.workspace, chat.thread),
                               "tools": tools})
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
