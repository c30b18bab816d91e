"""The Sources tab of a workspace (owners and administrators): the list, add, change, delete
and Sync now. Views only translate: rules in sources.services, permissions in workspaces.permissions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.generic import DetailView, FormView, ListView, View

from workspaces import permissions
from workspaces.sources.forms import SourceDeleteForm, SourceForm
from workspaces.sources.services import source_create, source_delete, source_sync_request, source_update
from workspaces.views import LenientPaginationMixin, WorkspaceMixin

ITEMS_SHOWN = 200
SYNC_QUEUED = gettext_noop("A sync of “{name}” is queued; this page shows its result when it has run.")
SYNC_ALREADY = gettext_noop("A sync of “{name}” is already queued.")


class SourceMixin(WorkspaceMixin):
    required_action = permissions.MANAGE_SOURCES

    def resolve_within_workspace(self):
        if "pk" in self.kwargs:
            self.source = get_object_or_404(self.workspace.sources.all(), pk=self.kwargs["pk"])


class SourcesView(SourceMixin, LenientPaginationMixin, ListView):
    template_name = "workspaces/sources/sources.html"
    context_object_name = "sources"
    paginate_by = 50

    def get_queryset(self):
        return self.workspace.sources.order_by("name", "pk")


class SourceFormMixin(SourceMixin):
    form_class = SourceForm
    template_name = "workspaces/sources/source_form.html"

    def form_valid(self, form):
        try:
            source = self.save(form)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        return redirect(source.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SourceCreateView(SourceFormMixin, FormView):
    def save(self, form):
        source = source_create(actor=self.request.user, workspace=self.workspace, **form.cleaned_data)
        messages.success(self.request, gettext("Added “%(name)s”; its first sync is queued.") % {"name": source.name})
        return source


class SourceUpdateView(SourceFormMixin, FormView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.source}

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)

    def save(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        source = source_update(actor=self.request.user, source=self.source, **changes)
        messages.success(self.request, gettext("Source saved."))
        return source


class SourceDetailView(SourceMixin, DetailView):
    template_name = "workspaces/sources/source_detail.html"
    context_object_name = "source"

    def get_object(self, queryset=None):
        return self.source

    def get_context_data(self, **kwargs):
        items = self.source.items.all()
        shown = items.select_related("document").only(
            "key", "error", "removed_upstream_at", "source_id", "document__doc_id", "document__status"
        ).order_by("key")[:ITEMS_SHOWN]
        return super().get_context_data(
            items=shown, item_total=items.count(),
            removed_total=items.filter(removed_upstream_at__isnull=False).count(), **kwargs
        )


class SourceSyncView(SourceMixin, View):
    def get(self, request, *args, **kwargs):
        return redirect(self.source.get_absolute_url())

    def post(self, request, *args, **kwargs):
        if source_sync_request(actor=request.user, source=self.source):
            messages.success(request, gettext(SYNC_QUEUED).format(name=self.source.name))
        else:
            messages.info(request, gettext(SYNC_ALREADY).format(name=self.source.name))
        return redirect(self.source.get_absolute_url())


class SourceDeleteView(SourceMixin, FormView):
    form_class = SourceDeleteForm
    template_name = "workspaces/sources/source_confirm_delete.html"

    def get_context_data(self, **kwargs):
        documents = self.source.items.filter(document__isnull=False).count()
        return super().get_context_data(source=self.source, document_total=documents, **kwargs)

    def form_valid(self, form):
        deleted = source_delete(
            actor=self.request.user, source=self.source, delete_documents=form.cleaned_data["delete_documents"]
        )
        if deleted:
            message = ngettext(
                "Deleted the source “%(name)s” and %(count)d document.",
                "Deleted the source “%(name)s” and %(count)d documents.", deleted,
            )
        else:
            message = gettext("Deleted the source “%(name)s”.")
        messages.success(self.request, message % {"name": self.source.name, "count": deleted})
        return redirect("workspaces:sources", slug=self.workspace.slug)
