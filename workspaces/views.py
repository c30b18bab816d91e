from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, RedirectView, TemplateView, View

from settings_app.services import setting_get
from workspaces.export import chats_csv_response, chats_json_response
from workspaces.extraction import ACCEPTED_EXTENSIONS
from workspaces.forms import MAX_FILES_PER_UPLOAD, AskForm, DocumentUploadForm
from workspaces.models import Workspace, WorkspaceChat, WorkspaceDocument, count_of
from workspaces.search import highlight, query_terms, search_passages
from workspaces.services import (
    MB,
    ChatRefused,
    DocumentRefused,
    chat_ask,
    chat_clear,
    document_delete,
    document_delete_allowed,
    document_ingest,
    document_upload_allowed,
    upload_limit_bytes,
)

PASSAGES_PER_PAGE = 20
SEARCH_RESULTS = 50
SEARCH_EXCERPT_WORDS = 60
MAX_QUERY_CHARS = 500
# Room for the multipart boundaries, part headers and the CSRF field around the files.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class LenientPaginationMixin:
    """A page number past the end or not a number shows the nearest page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class HomeView(LoginRequiredMixin, LenientPaginationMixin, ListView):
    """The workspaces the signed-in user may see, as cards."""

    template_name = "workspaces/home.html"
    context_object_name = "workspaces"
    paginate_by = 24

    def get_queryset(self):
        latest_chat = WorkspaceChat.objects.filter(workspace=OuterRef("pk")).order_by("-created_at")
        return (
            Workspace.objects.for_user(self.request.user)
            .annotate(
                document_total=count_of(WorkspaceDocument),
                last_activity=Subquery(latest_chat.values("created_at")[:1]),
            )
            .order_by("name", "pk")
        )


class WorkspaceMixin(LoginRequiredMixin):
    """Resolves the workspace from the URL within what the user may see: 404 otherwise."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.workspace = get_object_or_404(Workspace.objects.for_user(request.user), slug=kwargs["slug"])
        self.resolve_within_workspace()
        return super().dispatch(request, *args, **kwargs)

    def resolve_within_workspace(self):
        """Hook, run once the workspace is known: load what the page needs, raise Http404 or PermissionDenied."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            workspace=self.workspace,
            can_upload=document_upload_allowed(user=self.request.user),
            can_delete=document_delete_allowed(user=self.request.user),
            **kwargs,
        )


class DocumentMixin(WorkspaceMixin):
    """A document of the workspace, by its docId: 404 for any other."""

    def resolve_within_workspace(self):
        super().resolve_within_workspace()
        self.document = get_object_or_404(self.workspace.documents.all(), doc_id=self.kwargs["doc_id"])
        self.document.workspace = self.workspace

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=self.document, **kwargs)


class WorkspaceDetailView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The documents of a workspace: filter by file name, sort by name or date."""

    template_name = "workspaces/workspace_detail.html"
    context_object_name = "documents"
    paginate_by = 50
    SORTS = {
        "-date": ("-created_at", "-id"),
        "date": ("created_at", "id"),
        "name": (Lower("filename"), "id"),
        "-name": (Lower("filename").desc(), "-id"),
    }

    def get_queryset(self):
        self.sort = self.request.GET.get("sort") if self.request.GET.get("sort") in self.SORTS else "-date"
        self.filename_filter = self.request.GET.get("q", "").replace("\x00", "").strip()[:200]
        documents = self.workspace.documents.all()
        if self.filename_filter:
            documents = documents.filter(filename__icontains=self.filename_filter)
        return documents.order_by(*self.SORTS[self.sort])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = context["paginator"].count
        if self.filename_filter:
            total = self.workspace.documents.count()
        return {
            **context,
            "member_count": self.workspace.memberships.count(),
            "document_total": total,
            "sort": self.sort,
            "filename_filter": self.filename_filter,
        }


@method_decorator(csrf_exempt, name="dispatch")  # checked in post(), after the size check: see there
class DocumentUploadView(WorkspaceMixin, FormView):
    template_name = "workspaces/document_upload.html"
    form_class = DocumentUploadForm

    def resolve_within_workspace(self):
        super().resolve_within_workspace()
        if not document_upload_allowed(user=self.request.user):
            raise PermissionDenied("Only administrators and managers may upload documents here.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "limit_bytes": upload_limit_bytes()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            limit_mb=upload_limit_bytes() // MB,
            max_files=MAX_FILES_PER_UPLOAD,
            accepted_extensions=ACCEPTED_EXTENSIONS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        # The CSRF middleware would read the whole body to find the token, so this view is
        # exempt from it: first refuse an oversized body unread, then run the same CSRF check.
        if content_length(request) > upload_limit_bytes() + MULTIPART_OVERHEAD_BYTES:
            return render(
                request,
                "workspaces/upload_too_large.html",
                {"workspace": self.workspace, "limit_mb": upload_limit_bytes() // MB},
                status=413,
            )
        csrf_failure = CsrfViewMiddleware(lambda _request: None).process_view(request, _csrf_protected, (), {})
        if csrf_failure is not None:
            return csrf_failure
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        added = []
        for uploaded in form.cleaned_data["documents"]:
            try:
                added.append(
                    document_ingest(
                        workspace=self.workspace, uploaded_file=uploaded, filename=uploaded.name,
                        user=self.request.user,
                    )
                )
            except DocumentRefused as refusal:
                form.add_error("documents", refusal.message)
        if added:
            names = ", ".join(f"“{document.filename}”" for document in added)
            messages.success(self.request, f"Added {names}.")
        if form.errors:
            return self.form_invalid(form)
        if len(added) == 1:
            return redirect(added[0].get_absolute_url())
        return redirect(self.workspace.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _csrf_protected(request):
    """Stands in for the view in the manual CSRF check (the real view is marked exempt)."""


def content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class DocumentDetailView(DocumentMixin, LenientPaginationMixin, ListView):
    """A document's metadata and its text, passage by passage (anchors `#p<position>`)."""

    template_name = "workspaces/document_detail.html"
    context_object_name = "passages"
    paginate_by = PASSAGES_PER_PAGE

    def get_queryset(self):
        return self.document.passages.order_by("position")


class PassageRedirectView(DocumentMixin, RedirectView):
    """/…/passages/<position>/ → the document page that shows it, at its anchor: what citations link to."""

    def get_redirect_url(self, *args, **kwargs):
        page = self.document.passage_page_number(kwargs["position"], per_page=PASSAGES_PER_PAGE)
        if page is None:
            raise Http404("This document has no such passage.")
        return f"{self.document.get_absolute_url()}?page={page}#p{kwargs['position']}"


class DocumentDownloadView(DocumentMixin, View):
    """The original file, as an attachment, to people who may see the workspace."""

    def get(self, request, *args, **kwargs):
        try:
            stored = default_storage.open(self.document.docpath, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("The stored file of this document is missing.") from None
        return FileResponse(
            stored,
            as_attachment=True,
            filename=self.document.filename,
            content_type=self.document.metadata.get("content_type") or "application/octet-stream",
        )


class DocumentDeleteView(DocumentMixin, TemplateView):
    template_name = "workspaces/document_confirm_delete.html"

    def resolve_within_workspace(self):
        super().resolve_within_workspace()
        if not document_delete_allowed(user=self.request.user):
            raise PermissionDenied("Only administrators and managers may delete documents.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(passage_count=self.document.passages.count(), **kwargs)

    def post(self, request, *args, **kwargs):
        document_delete(document=self.document, user=request.user)
        messages.success(request, f"Deleted “{self.document.filename}”.")
        return redirect(self.workspace.get_absolute_url())


class SearchView(WorkspaceMixin, TemplateView):
    """Ranked passages of the workspace's documents, the matching words highlighted."""

    template_name = "workspaces/search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        terms = query_terms(query)
        hits = search_passages(workspace=self.workspace, query=query, limit=SEARCH_RESULTS) if terms else []
        results = [
            {"hit": hit, "excerpt": highlight(hit.text, terms, context_words=SEARCH_EXCERPT_WORDS)} for hit in hits
        ]
        return super().get_context_data(
            query=query, terms=terms, results=results, result_limit=SEARCH_RESULTS, **kwargs
        )


class ChatView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The asker's own included chats in this workspace, newest page first and
    oldest-first within the page, and the form to ask."""

    template_name = "workspaces/chat.html"
    context_object_name = "chats"
    paginate_by = 20

    def get_queryset(self):
        return WorkspaceChat.objects.history_for(user=self.request.user, workspace=self.workspace).order_by("-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chats = list(reversed(context["chats"]))
        cited = {source["doc_id"] for chat in chats for source in (chat.response or {}).get("sources", [])}
        live = self.workspace.documents.filter(doc_id__in=cited).values_list("doc_id", flat=True) if cited else []
        return {
            **context,
            "chats": chats,
            "live_doc_ids": {str(doc_id) for doc_id in live},
            "document_total": self.workspace.documents.count(),
            "max_prompt_chars": setting_get("max_prompt_chars"),
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
            return self.render_to_response(context, status=refusal.status)
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
