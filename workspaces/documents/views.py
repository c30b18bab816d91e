"""The document pages: upload, read, download, delete, retry, processing status, and the stable passage link."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView, View

from accounts.http import content_length, status_for
from workspaces import permissions
from workspaces.documents.forms import DocumentUploadForm
from workspaces.documents.kinds import ACCEPTED_EXTENSIONS
from workspaces.documents.services import (
    MAX_FILES_PER_UPLOAD,
    MB,
    DocumentNotFailed,
    DocumentRefused,
    document_delete,
    document_ingest,
    document_retry,
    upload_body_check,
    upload_limit_bytes,
)
from workspaces.documents.storage import stored_file_download_url, stored_file_open
from workspaces.views import WorkspaceMixin


class DocumentMixin(WorkspaceMixin):
    """A document of the workspace, by its docId: 404 for any other."""

    def resolve_within_workspace(self):
        super().resolve_within_workspace()
        self.document = get_object_or_404(self.workspace.documents.all(), doc_id=self.kwargs["doc_id"])
        self.document.workspace = self.workspace

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=self.document, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")  # checked in post(), after the size check: see there
class DocumentUploadView(WorkspaceMixin, FormView):
    template_name = "workspaces/documents/document_upload.html"
    form_class = DocumentUploadForm

    required_action = permissions.UPLOAD

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            limit_mb=upload_limit_bytes() // MB,
            limit_bytes=upload_limit_bytes(),
            max_files=MAX_FILES_PER_UPLOAD,
            accepted_extensions=ACCEPTED_EXTENSIONS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        # The CSRF middleware would read the whole body to find the token, so this view is
        # exempt from it: first refuse an oversized body unread, then run the same CSRF check.
        try:
            upload_body_check(declared_bytes=content_length(request))
        except DocumentRefused as refusal:
            if wants_json(request):
                return JsonResponse({"documents": [], "errors": [refusal.message]}, status=413)
            return render(
                request,
                "workspaces/documents/upload_too_large.html",
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
                        user=self.request.user, request=self.request,
                    )
                )
            except DocumentRefused as refusal:
                form.add_error("documents", refusal.message)
        if wants_json(self.request):
            return JsonResponse(
                {"documents": [document_state(document) for document in added],
                 "errors": form.errors.get("documents", [])},
                status=201 if added and not form.errors else 400,
            )
        if added:
            names = ", ".join(f"“{document.filename}”" for document in added)
            messages.success(self.request, gettext("Added %(names)s: processing in the background.") % {"names": names})
        if form.errors:
            return self.form_invalid(form)
        if len(added) == 1:
            return redirect(added[0].get_absolute_url())
        return redirect(self.workspace.get_absolute_url())

    def form_invalid(self, form):
        if wants_json(self.request):
            return JsonResponse({"documents": [], "errors": form.errors.get("documents", [])}, status=400)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def wants_json(request) -> bool:
    """The upload script asks for JSON; the plain form gets pages and redirects."""
    return "application/json" in request.headers.get("Accept", "")


def document_state(document) -> dict:
    """What the pages' status script shows of a document: state, reason, progress."""
    return {
        "doc_id": str(document.doc_id),
        "filename": document.filename,
        "status": document.status,
        "label": gettext("Re-indexing") if document.reindexing else document.get_status_display(),
        "reindexing": document.reindexing,
        "processing": document.is_processing,
        "reason": document.status_reason,
        "done": document.progress_done,
        "total": document.progress_total,
        "url": document.get_absolute_url(),
    }


class DocumentStatusView(WorkspaceMixin, View):
    """`?ids=<docId>,<docId>…`: the processing state of those documents of the workspace, as JSON."""

    MAX_IDS = 100

    def get(self, request, *args, **kwargs):
        ids = []
        for raw in request.GET.get("ids", "").split(",")[:self.MAX_IDS]:
            try:
                ids.append(uuid.UUID(raw.strip()))
            except ValueError:
                continue
        documents = self.workspace.documents.filter(doc_id__in=ids).select_related("workspace") if ids else []
        return JsonResponse({"documents": [document_state(document) for document in documents]})


class DocumentRetryView(DocumentMixin, View):
    """POST: queue a failed document again."""

    required_action = permissions.UPLOAD

    def post(self, request, *args, **kwargs):
        try:
            document_retry(document=self.document, user=request.user)
        except DocumentNotFailed as refusal:
            if wants_json(request):
                return JsonResponse({"error": refusal.message}, status=status_for(refusal))
            messages.error(request, refusal.message)
        else:
            self.document.refresh_from_db()
            if wants_json(request):
                return JsonResponse(document_state(self.document), status=202)
            messages.success(request, gettext("“%(filename)s” is queued again.") % {"filename": self.document.filename})
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = self.document.get_absolute_url()
        return redirect(next_url)


def _csrf_protected(request):
    """Stands in for the view in the manual CSRF check (the real view is marked exempt)."""


class DocumentDownloadView(DocumentMixin, View):
    """The original file, as an attachment, to people who may see the workspace."""

    def get(self, request, *args, **kwargs):
        content_type = self.document.metadata.get("content_type") or "application/octet-stream"
        # Object storage: the browser fetches the file from the bucket by a short-lived signed address.
        signed = stored_file_download_url(self.document.docpath, filename=self.document.filename,
                                          content_type=content_type)
        if signed is not None:
            return HttpResponseRedirect(signed)
        try:
            stored = stored_file_open(self.document.docpath)
        except (FileNotFoundError, OSError):
            raise Http404("The stored file of this document is missing.") from None
        return FileResponse(
            stored,
            as_attachment=True,
            filename=self.document.filename,
            content_type=content_type,
        )


class DocumentDeleteView(DocumentMixin, TemplateView):
    """Owners (and staff) delete any document; editors the ones they uploaded."""

    template_name = "workspaces/documents/document_confirm_delete.html"

    def resolve_within_workspace(self):
        super().resolve_within_workspace()
        if not permissions.may_delete_document(self.request.user, self.document, granted=self.may):
            raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])

    def get_context_data(self, **kwargs):
        return super().get_context_data(passage_count=self.document.passages.count(), **kwargs)

    def post(self, request, *args, **kwargs):
        document_delete(document=self.document, user=request.user, request=request)
        messages.success(request, gettext("Deleted “%(filename)s”.") % {"filename": self.document.filename})
        return redirect(self.workspace.get_absolute_url())
