"""The chat page: one's conversations in a workspace, one of them open, the form to ask. (What
the page's script fetches, the answer streamed and a source's card: views_fetched.py; thread and
answer actions: views_actions.py.)"""

import functools

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.generic import ListView

from accounts.base import DocentError
from accounts.http import status_for
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.addresses import filled_address
from workspaces.chats import page_queries, threads
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.forms import AskForm
from workspaces.chats.limits import ChatRefused, daily_quota
from workspaces.chats.models import ChatThread, WorkspaceChat
from workspaces.chats.services import chat_ask, chat_version_base
from workspaces.chats.turn_html import turns_html
from workspaces.views import LenientPaginationMixin, WorkspaceMixin, page_wanted

THREADS_PER_PAGE = 30


def thread_url(workspace, thread: ChatThread | None) -> str:
    if thread is None:
        return reverse("workspaces:chat_new", kwargs={"slug": workspace.slug})
    return filled_address("workspaces:chat_thread", slug=workspace.slug, thread=thread.pk)


def thread_rows(workspace, threads_listed, open_thread) -> list[tuple[str, str, str, bool]]:
    """(address, title, day asked, is the open one) of each listed conversation (`threads_listed`: a
    page of them), as the template's `{% url %}` and `|date:"j M Y"` would give them, each day
    formatted once (a page lists 30). From a later page of the list, the address keeps that page, so
    the conversation opens with its list where it was."""
    keep_page = f"?threads={threads_listed.number}" if threads_listed.number > 1 else ""
    days = {}
    rows = []
    for item in threads_listed:
        asked = localtime(item.last_asked_at)
        if asked.date() not in days:
            days[asked.date()] = asked_day(asked)
        rows.append((thread_url(workspace, item) + keep_page, item.title, days[asked.date()],
                     open_thread is not None and item.pk == open_thread.pk))
    return rows


def asked_day(when) -> str:
    """The day a conversation was last asked in, as its row in the list shows it (the visitor's
    language and time zone)."""
    return date_filter(localtime(when), "j M Y")


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
