"""The chat pages: ask and read one's own history, clear it, export it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView, View

from accounts.http import status_for
from settings_app.services import setting_get
from workspaces.chats.export import chats_csv_response, chats_json_response
from workspaces.chats.forms import AskForm
from workspaces.chats.limits import ChatRefused, daily_quota
from workspaces.chats.models import WorkspaceChat
from workspaces.chats.services import chat_ask, chat_clear
from workspaces.views import LenientPaginationMixin, WorkspaceMixin


class ChatView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The asker's own included chats in this workspace, newest page first and
    oldest-first within the page, and the form to ask."""

    template_name = "workspaces/chats/chat.html"
    context_object_name = "chats"
    paginate_by = 20

    def get_queryset(self):
        return WorkspaceChat.objects.history_for(user=self.request.user, workspace=self.workspace).order_by("-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chats = list(reversed(context["chats"]))
        cited = set().union(*(chat.answer.cited_doc_ids for chat in chats))
        live = self.workspace.documents.filter(doc_id__in=cited).values_list("doc_id", flat=True) if cited else []
        return {
            **context,
            "chats": chats,
            "live_doc_ids": {str(doc_id) for doc_id in live},
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


class ChatClearView(WorkspaceMixin, View):
    def get(self, request, *args, **kwargs):
        return redirect("workspaces:chat", slug=self.workspace.slug)  # clearing takes the page's button

    def post(self, request, *args, **kwargs):
        cleared = chat_clear(workspace=self.workspace, user=request.user)
        messages.success(request, f"Cleared {cleared} question{pluralize(cleared)} from your chat.")
        return redirect("workspaces:chat", slug=self.workspace.slug)


class ChatExportView(WorkspaceMixin, View):
    """The asker's included chats in this workspace as CSV or JSON, streamed."""

    def get(self, request, *args, **kwargs):
        if kwargs["format"] not in ("csv", "json"):
            raise Http404("Export as csv or json.")
        chats = WorkspaceChat.objects.history_for(user=request.user, workspace=self.workspace)
        filename = f"{self.workspace.slug}-chat-{timezone.now():%Y%m%d}.{kwargs['format']}"
        if kwargs["format"] == "csv":
            return chats_csv_response(chats, filename)
        return chats_json_response(chats, filename)
