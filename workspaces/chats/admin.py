from django.contrib import admin
from django.utils import timezone

from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.chats.export import chats_csv_response, chats_json_response
from workspaces.chats.models import WorkspaceChat


@admin.register(WorkspaceChat)
class WorkspaceChatAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    """The chat log: read-only, every chat of every member."""

    permission_action = permissions.READ_CHAT_LOG

    list_display = ("created_at", "workspace", "user", "short_prompt", "state", "tokens", "include")
    list_filter = ("workspace", "user", "state", "include")
    search_fields = ("prompt",)
    list_select_related = ("workspace", "user")
    date_hierarchy = "created_at"
    fields = ("workspace", "user", "include", "state", "prompt", "answer", "usage", "response", "created_at")
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
        return obj.answer.text

    @admin.display(description="tokens (prompt + completion)")
    def tokens(self, obj):
        if obj.prompt_tokens is None and obj.completion_tokens is None:
            return "—"
        return f"{obj.prompt_tokens or 0} + {obj.completion_tokens or 0}"

    @admin.display(description="usage")
    def usage(self, obj):
        """Model, tokens and timings as the server reported them, and why an answer ended early."""
        answer = obj.answer
        parts = [f"model {answer.model or '—'}", f"tokens {self.tokens(obj)}"]
        labels = {"first_token_ms": "first token", "total_ms": "total", "retrieval_ms": "retrieval"}
        parts += [f"{label} {answer.timings[key]} ms" for key, label in labels.items() if key in answer.timings]
        if answer.reason:
            parts.append(f"ended: {answer.reason}")
        return " · ".join(parts)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log keeps every chat; they go only with their workspace
