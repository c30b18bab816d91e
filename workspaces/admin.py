from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.services import invites_issue
from workspaces.export import chats_csv_response, chats_json_response
from workspaces.models import DocumentPassage, Workspace, WorkspaceChat, WorkspaceDocument, WorkspaceUser, count_of
from workspaces.services import document_delete, workspace_delete

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


class IssueInvitesForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=50, initial=1, help_text="How many single-use links (1–50).")


class MembershipInline(admin.TabularInline):
    model = WorkspaceUser
    extra = 1
    autocomplete_fields = ("user",)
    verbose_name = "member"
    verbose_name_plural = "members"


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "member_count", "document_count", "chat_count", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_at")
    inlines = (MembershipInline,)
    actions = ("issue_invites",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "created_at")}),
        (
            "Answering",
            {
                "fields": (
                    "chat_mode", "chat_provider", "chat_model", "system_prompt", "history_length", "top_n",
                    "similarity_threshold",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=count_of(WorkspaceUser),
                document_total=count_of(WorkspaceDocument),
                chat_total=count_of(WorkspaceChat),
            )
        )

    @admin.action(description="Issue invites for the selected workspaces")
    def issue_invites(self, request, queryset):
        """Ask how many, then issue that many invites, each granting every selected workspace."""
        form = IssueInvitesForm(request.POST if "count" in request.POST else None)
        if form.is_valid():
            count = form.cleaned_data["count"]
            invites = invites_issue(created_by=request.user, workspaces=list(queryset), count=count)
            self.message_user(request, f"Issued {count} invite(s): send each person one claim link below.")
            # Redirect (not render) so that reloading the page cannot issue another batch.
            changelist = reverse("admin:accounts_invite_changelist")
            return HttpResponseRedirect(f"{changelist}?id__in={','.join(str(invite.pk) for invite in invites)}")
        return TemplateResponse(
            request, "admin/workspaces/issue_invites.html",
            {**self.admin_site.each_context(request), "title": "Issue invites", "form": form, "workspaces": queryset,
             "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME},
        )

    def get_deleted_objects(self, objs, request):
        """A summary instead of Django's row-by-row list, which would name every passage."""
        summary, totals = [], {}
        for workspace in objs:
            lines, counts = documents_deletion_summary(workspace.documents.all())
            counts.update(chats=workspace.chats.count(), members=workspace.memberships.count())
            summary += [f"Workspace: {workspace.name}",
                        [*lines, f"{counts['chats']:,} chats", f"{counts['members']:,} memberships"]]
            for key, value in {"workspaces": 1, **counts}.items():
                totals[key] = totals.get(key, 0) + value
        return summary, {key: value for key, value in totals.items() if value}, set(), []

    def delete_model(self, request, obj):
        workspace_delete(workspace=obj)

    def delete_queryset(self, request, queryset):
        """Through the service, so the documents' stored files go too."""
        for workspace in queryset:
            workspace_delete(workspace=workspace)

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj):
        return obj.document_total

    @admin.display(description="chats", ordering="chat_total")
    def chat_count(self, obj):
        return obj.chat_total


@admin.register(WorkspaceDocument)
class WorkspaceDocumentAdmin(admin.ModelAdmin):
    list_display = ("filename", "workspace", "size", "created_at")
    list_filter = ("workspace",)
    search_fields = ("filename",)
    list_select_related = ("workspace",)
    readonly_fields = ("doc_id", "workspace", "docpath", "metadata", "created_at")
    fields = ("filename", "doc_id", "workspace", "docpath", "metadata", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description="size (bytes)")
    def size(self, obj):
        return obj.metadata.get("size", "—")

    def has_add_permission(self, request):
        return False  # documents arrive through the workspace upload page

    def get_deleted_objects(self, objs, request):
        documents = WorkspaceDocument.objects.filter(pk__in=[obj.pk for obj in objs])
        lines, counts = documents_deletion_summary(documents)
        return lines, counts, set(), []

    def delete_model(self, request, obj):
        document_delete(document=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        """Through the service, one document at a time, so the stored files go too."""
        for document in queryset.select_related(None).only("pk", "docpath", "filename", "workspace_id"):
            document_delete(document=document, user=request.user)


@admin.register(WorkspaceChat)
class WorkspaceChatAdmin(admin.ModelAdmin):
    """The chat log: read-only, every chat of every member."""

    list_display = ("created_at", "workspace", "user", "short_prompt", "include")
    list_filter = ("workspace", "user", "include")
    search_fields = ("prompt",)
    list_select_related = ("workspace", "user")
    date_hierarchy = "created_at"
    fields = ("workspace", "user", "include", "prompt", "answer", "response", "created_at")
    readonly_fields = fields
    actions = ("export_csv", "export_json")

    @admin.action(description="Export selected chats as CSV")
    def export_csv(self, request, queryset):
        return chats_csv_response(queryset, f"chats-{timezone.now():%Y%m%d-%H%M}.csv")

    @admin.action(description="Export selected chats as JSON")
    def export_json(self, request, queryset):
        return chats_json_response(queryset, f"chats-{timezone.now():%Y%m%d-%H%M}.json")

    def get_queryset(self, request):
        # The list never shows the response JSON (answers and quoted sources): don't read it.
        return super().get_queryset(request).defer("response")

    @admin.display(description="prompt")
    def short_prompt(self, obj):
        return obj.prompt[:80]

    @admin.display(description="answer")
    def answer(self, obj):
        return obj.answer_text

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log keeps every chat; they go only with their workspace
