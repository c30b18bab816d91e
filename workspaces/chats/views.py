"""The chat pages: ask and read one's own history, clear it, export it."""

import json
from contextlib import closing

from django.contrib import messages
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.generic import ListView, View

from accounts.http import status_for
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.chats.export import chats_csv_response, chats_json_response
from workspaces.chats.forms import AskForm
from workspaces.chats.limits import ChatRefused, daily_quota
from workspaces.chats.models import WorkspaceChat
from workspaces.chats.services import chat_answer, chat_ask, chat_clear, chat_start
from workspaces.documents.models import passage_url
from workspaces.documents.reading import quoted_passage_items
from workspaces.views import LenientPaginationMixin, WorkspaceMixin


class ChatView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The asker's own included chats in this workspace, newest page first and
    oldest-first within the page, and the form to ask."""

    required_action = permissions.ASK

    template_name = "workspaces/chats/chat.html"
    context_object_name = "chats"
    paginate_by = 20

    def get_queryset(self):
        return WorkspaceChat.objects.history_for(user=self.request.user, workspace=self.workspace).order_by("-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chats = list(reversed(context["chats"]))
        return {
            **context,
            "chats": chats,
            "live_doc_ids": live_doc_ids(self.workspace, chats),
            "document_total": self.workspace.documents.count(),
            "max_prompt_chars": setting_get("max_prompt_chars"),
            "quota": daily_quota(user=self.request.user),
            "prompt": kwargs.get("prompt", ""),
        }

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST)
        prompt = request.POST.get("prompt", "").replace("\x00", "")
        try:
            if not form.is_valid():
                raise ChatRefused(form.errors["prompt"][0])
            chat = chat_ask(workspace=self.workspace, user=request.user, prompt=form.cleaned_data["prompt"])
        except ChatRefused as refusal:
            self.object_list = self.get_queryset()
            context = self.get_context_data(prompt=prompt, error=refusal.message)
            return self.render_to_response(context, status=status_for(refusal))
        return redirect(f"{reverse('workspaces:chat', kwargs={'slug': self.workspace.slug})}#chat-{chat.pk}")


def live_doc_ids(workspace, chats) -> set[str]:
    """The cited documents that still exist, so deleted ones are marked, not linked."""
    cited = set().union(*(chat.answer.cited_doc_ids for chat in chats))
    live = workspace.documents.filter(doc_id__in=cited).values_list("doc_id", flat=True) if cited else []
    return {str(doc_id) for doc_id in live}


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


class ChatStreamView(WorkspaceMixin, View):
    """POST a question, get its answer as Server-Sent Events read with fetch: `start` (the
    stored chat's id), `token` (text as it arrives), `end` (the state and the answer's final
    HTML with its citations). A refusal is a JSON {"error": message} with the page's status.
    The page's form POSTs to ChatView instead when JavaScript is off."""

    required_action = permissions.ASK

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST)
        try:
            if not form.is_valid():
                raise ChatRefused(form.errors["prompt"][0])
            chat = chat_start(workspace=self.workspace, user=request.user, prompt=form.cleaned_data["prompt"])
        except ChatRefused as refusal:
            return JsonResponse({"error": refusal.message}, status=status_for(refusal))
        response = StreamingHttpResponse(self._events(chat), content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx and friends: pass each event on at once
        return response

    def _events(self, chat):
        yield _event("start", {"id": chat.pk})
        with closing(chat_answer(chat=chat)) as deltas:
            for delta in deltas:
                yield _event("token", {"text": delta})
        html = render_to_string(
            "workspaces/chats/_answer.html",
            {"chat": chat, "workspace": self.workspace, "live_doc_ids": live_doc_ids(self.workspace, [chat])},
            request=self.request,
        )
        yield _event("end", {"state": chat.state, "reason": chat.answer.reason, "html": html})


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


class ChatClearView(WorkspaceMixin, View):
    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        return redirect("workspaces:chat", slug=self.workspace.slug)  # clearing takes the page's button

    def post(self, request, *args, **kwargs):
        cleared = chat_clear(workspace=self.workspace, user=request.user)
        messages.success(request, ngettext(
            "Cleared %(count)d question from your chat.", "Cleared %(count)d questions from your chat.", cleared,
        ) % {"count": cleared})
        return redirect("workspaces:chat", slug=self.workspace.slug)


class ChatExportView(WorkspaceMixin, View):
    """The asker's included chats in this workspace as CSV or JSON, streamed."""

    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        if kwargs["format"] not in ("csv", "json"):
            raise Http404("Export as csv or json.")
        chats = WorkspaceChat.objects.history_for(user=request.user, workspace=self.workspace)
        filename = f"{self.workspace.slug}-chat-{timezone.now():%Y%m%d}.{kwargs['format']}"
        if kwargs["format"] == "csv":
            return chats_csv_response(chats, filename)
        return chats_json_response(chats, filename)
