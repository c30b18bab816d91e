"""Sources in the admin: the same services as the Sources tab (add, change, delete, Sync now)."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.models import Workspace
from workspaces.sources.models import WorkspaceSource
from workspaces.sources.services import (
    EDITABLE,
    location_clean,
    source_create,
    source_delete,
    source_sync_request,
    source_update,
)


@admin.register(WorkspaceSource)
class WorkspaceSourceAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    permission_action = permissions.MANAGE_SOURCES
    list_display = (
        "name", "workspace", "kind", "location", "last_outcome", "last_sync_finished_at", "last_added",
        "last_changed", "last_removed", "last_failed",
    )
    list_filter = ("kind", "last_outcome", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "location")
    list_select_related = ("workspace",)
    actions = ("sync_now",)
    fields = ("workspace", *EDITABLE, "last_outcome", "last_sync_started_at", "last_sync_finished_at",
              "next_sync_at", "last_added", "last_changed", "last_removed", "last_failed", "last_errors")
    readonly_fields = ("last_outcome", "last_sync_started_at", "last_sync_finished_at", "next_sync_at", "last_added",
                       "last_changed", "last_removed", "last_failed", "last_errors")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("workspace",) if obj is not None else ())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = permissions.workspaces_where(
                request.user, permissions.MANAGE_SOURCES, Workspace.objects.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Through the services, as on the site (the form has checked the location already)."""
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        if change:
            source_update(actor=request.user, source=WorkspaceSource.objects.get(pk=obj.pk), **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in EDITABLE}
            obj.pk = source_create(actor=request.user, workspace=form.cleaned_data["workspace"], **fields).pk

    def get_form(self, request, obj=None, **kwargs):
        """The location checked as the service checks it, its refusal shown on the field."""
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                if not self.errors.get("location") and cleaned.get("kind") and (
                    "location" in self.changed_data or "kind" in self.changed_data
                ):
                    try:
                        cleaned["location"] = location_clean(kind=cleaned["kind"], location=cleaned.get("location"))
                    except ValidationError as error:
                        self.add_error("location", error.message_dict["location"])
                return cleaned

        return CheckedForm

    @admin.action(description="Sync selected sources now")
    def sync_now(self, request, queryset):
        queued = sum(source_sync_request(actor=request.user, source=source) for source in queryset)
        self.message_user(request, f"Queued {queued} sync(s); sources already queued were left alone.")

    def delete_model(self, request, obj):
        source_delete(actor=request.user, source=obj, delete_documents=False)

    def delete_queryset(self, request, queryset):
        for source in queryset.select_related("workspace"):
            source_delete(actor=request.user, source=source, delete_documents=False)
