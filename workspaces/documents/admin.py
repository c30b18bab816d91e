from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.documents.models import DocumentPassage, WorkspaceDocument
from workspaces.documents.services import document_delete, documents_reindex

DELETE_PREVIEW_DOCUMENTS = 20


def documents_deletion_summary(documents) -> tuple[list, dict]:
    """What deleting `documents` removes, for a confirmation page: counts and the first names."""
    counts = {
        "documents": documents.count(),
        "passages": DocumentPassage.objects.filter(document__in=documents).count(),
    }
    names = list(documents.order_by("filename").values_list("filename", flat=True)[:DELETE_PREVIEW_DOCUMENTS])
    if counts["documents"] > len(names):
        names.append(f"… and {counts['documents'] - len(names):,} more")
    return [f"{counts['documents']:,} documents, their stored files and {counts['passages']:,} passages", names], counts


@admin.register(WorkspaceDocument)
class WorkspaceDocumentAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    list_display = ("filename", "workspace", "status", "progress", "size", "uploaded_by", "created_at")
    list_filter = ("status", "reindexing", ("workspace", admin.RelatedOnlyFieldListFilter))
    actions = ("reindex",)
    search_fields = ("filename",)
    list_select_related = ("workspace", "uploaded_by")
    readonly_fields = (
        "doc_id", "workspace", "uploaded_by", "size", "docpath", "metadata", "created_at", "status", "status_reason",
        "reindexing", "progress_done", "progress_total", "attempts", "heartbeat_at",
    )
    fields = (
        "filename", "doc_id", "workspace", "uploaded_by", "size", "docpath", "metadata", "created_at", "status",
        "status_reason", "reindexing", "progress_done", "progress_total", "attempts", "heartbeat_at",
    )
    date_hierarchy = "created_at"

    @admin.display(description="size")
    def size(self, obj):
        size = (obj.metadata or {}).get("size")
        return filesizeformat(size) if isinstance(size, int) else "—"

    @admin.display(description="progress")
    def progress(self, obj):
        if obj.reindexing:
            return f"re-indexing {obj.progress_done}/{obj.progress_total}"
        return f"{obj.progress_done}/{obj.progress_total}" if obj.is_processing else "—"

    @admin.action(description="Re-index selected documents (in the background)")
    def reindex(self, request, queryset):
        queued = documents_reindex(documents=queryset, user=request.user)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            f"Queued {queued} document(s) for re-indexing; they keep serving their passages until the new ones are "
            f"ready." + (f" {skipped} not ready or already re-indexing were left alone." if skipped else ""),
        )

    def has_add_permission(self, request):
        return False  # documents arrive through the workspace upload page

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return permissions.may(request.user, permissions.DELETE_DOCUMENT)
        return permissions.may_delete_document(request.user, obj)

    def get_deleted_objects(self, objs, request):
        documents = WorkspaceDocument.objects.filter(pk__in=[obj.pk for obj in objs])
        lines, counts = documents_deletion_summary(documents)
        return lines, counts, set(), []

    def delete_model(self, request, obj):
        document_delete(document=obj, user=request.user, request=request)

    def delete_queryset(self, request, queryset):
        """Through the service, one document at a time, so the stored files go too."""
        for document in queryset.select_related(None).only("pk", "docpath", "filename", "workspace_id"):
            document_delete(document=document, user=request.user, request=request)
