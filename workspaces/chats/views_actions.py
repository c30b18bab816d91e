"""Actions beside the conversation: rename or delete a thread, clear them all, export,
rate an answer. Each POST answers with a redirect back to the page (or JSON when the page's
script asked)."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.generic import View

from accounts.base import DocentError
from accounts.http import status_for
from workspaces import permissions
from workspaces.chats import threads
from workspaces.chats.export import chats_csv_response, chats_json_response
from workspaces.chats.models import WorkspaceChat
from workspaces.chats.services import chat_clear, chat_rate, chat_version_base
from workspaces.chats.views import thread_url
from workspaces.chats.views_fetched import answer_context
from workspaces.views import WorkspaceMixin

RATINGS = {"up": 1, "down": -1, "none": None}


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class ThreadActionMixin(WorkspaceMixin):
    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        return redirect("workspaces:chat", slug=self.workspace.slug)  # these take the page's buttons

    def thread(self):
        try:
            return threads.thread_get(workspace=self.workspace, user=self.request.user, pk=self.kwargs["thread"])
        except threads.ThreadRefused as refusal:
            raise Http404(refusal.message) from None


class ThreadRenameView(ThreadActionMixin, View):
    def post(self, request, *args, **kwargs):
        thread = self.thread()
        try:
            threads.thread_rename(thread=thread, title=request.POST.get("title", ""))
        except DocentError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, gettext("Conversation renamed."))
        return redirect(thread_url(self.workspace, thread))


class ThreadDeleteView(ThreadActionMixin, View):
    def post(self, request, *args, **kwargs):
        thread = self.thread()
        threads.thread_delete(thread=thread)
        messages.success(request, gettext("Deleted the conversation “%(title)s”.") % {"title": thread.title})
        return redirect("workspaces:chat", slug=self.workspace.slug)


class ChatClearView(ThreadActionMixin, View):
    def post(self, request, *args, **kwargs):
        cleared = chat_clear(workspace=self.workspace, user=request.user)
        messages.success(request, ngettext(
            "Cleared %(count)d question from your chat.", "Cleared %(count)d questions from your chat.", cleared,
        ) % {"count": cleared})
        return redirect("workspaces:chat", slug=self.workspace.slug)


class ChatFeedbackView(ThreadActionMixin, View):
    """Thumbs up or down on one of the asker's answers, with an optional comment."""

    def post(self, request, *args, **kwargs):
        try:
            chat = chat_version_base(workspace=self.workspace, user=request.user, pk=kwargs["pk"])
            rating = RATINGS.get(request.POST.get("rating", ""), 0)
            chat = chat_rate(chat=chat, rating=rating, comment=request.POST.get("comment", ""))
        except DocentError as refusal:
            if wants_json(request):
                return JsonResponse({"error": refusal.message}, status=status_for(refusal))
            messages.error(request, refusal.message)
            return redirect("workspaces:chat", slug=self.workspace.slug)
        if wants_json(request):
            html = render_to_string("workspaces/chats/_turn.html", answer_context(self.workspace, chat),
                                    request=request)
            return JsonResponse({"html": html})
        messages.success(request, gettext("Thank you: your feedback is saved."))
        return redirect(f"{thread_url(self.workspace, chat.thread)}?v={chat.pk}#{threads.turn_anchor(chat)}")


class ChatExportView(WorkspaceMixin, View):
    """The asker's included chats in this workspace (or in one thread: `?thread=`) as CSV or JSON."""

    required_action = permissions.ASK

    def get(self, request, *args, **kwargs):
        if kwargs["format"] not in ("csv", "json"):
            raise Http404("Export as csv or json.")
        chats = WorkspaceChat.objects.history_for(user=request.user, workspace=self.workspace)
        name = f"{self.workspace.slug}-chat"
        if request.GET.get("thread"):
            try:
                thread = threads.thread_get(workspace=self.workspace, user=request.user, pk=request.GET["thread"])
            except threads.ThreadRefused as refusal:
                raise Http404(refusal.message) from None
            chats, name = chats.filter(thread=thread), f"{name}-{thread.pk}"
        filename = f"{name}-{timezone.now():%Y%m%d}.{kwargs['format']}"
        if kwargs["format"] == "csv":
            return chats_csv_response(chats, filename)
        return chats_json_response(chats, filename)
