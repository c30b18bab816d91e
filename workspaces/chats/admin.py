from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.chats.export import chats_csv_response, chats_json_response
from workspaces.chats.models import WorkspaceChat
from workspaces.chats.rendering import render_markdown

PRIVATE_TEXT = "Hidden: chats in this workspace are private."


class FeedbackFilter(admin.SimpleListFilter):
    title = "feedback comment"
    parameter_name = "commented"

    def lookups(self, request, model_admin):
        return (("yes", "With a comment"), ("no", "Without"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(feedback="")
        if self.value() == "no":
            return queryset.filter(feedback="")
        return queryset


@admin.register(WorkspaceChat)
class WorkspaceChatAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    """The chat log: read-only, every chat in the workspaces the user runs. In a workspace with
    private chats, and for any chat asked while they were, it shows who asked, when, where and how
    much, never the text (and its search never looks there)."""

    permission_action = permissions.READ_CHAT_LOG

    list_display = ("created_at", "workspace", "user", "thread_number", "short_prompt", "state", "tokens", "rating",
                    "include")
    # Only the workspaces and askers of the rows shown: a manager limited to their own workspaces
    # does not learn the others' names from the filters.
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter), ("user", admin.RelatedOnlyFieldListFilter), "state",
                   "rating", FeedbackFilter, "include")
    search_fields = ("prompt",)
    list_select_related = ("workspace", "user")
    date_hierarchy = "created_at"
    fields = ("workspace", "user", "thread_number", "version_of", "include", "state", "created_at", "question",
              "answer", "sources", "provider", "usage", "rating", "comment")
    readonly_fields = fields
    actions = ("export_csv", "export_json")

    @admin.action(description="Export selected chats as CSV")
    def export_csv(self, request, queryset):
        return chats_csv_response(queryset, f"chats-{timezone.now():%Y%m%d-%H%M}.csv", hide_private=True)

    @admin.action(description="Export selected chats as JSON")
    def export_json(self, request, queryset):
        return chats_json_response(queryset, f"chats-{timezone.now():%Y%m%d-%H%M}.json", hide_private=True)

    def get_queryset(self, request):
        # The list never shows the response JSON (answers and quoted sources): don't read it.
        return super().get_queryset(request).defer("response")

    def get_search_results(self, request, queryset, search_term):
        """Searching the text must not find what the list hides."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset = permissions.chats_with_readable_text(queryset)
        return queryset, may_have_duplicates

    @staticmethod
    def _hidden(obj) -> bool:
        return not permissions.chat_text_readable(obj)

    @admin.display(description="conversation", ordering="thread")
    def thread_number(self, obj):
        """The conversation's number, never its title (the first question: private in a private workspace)."""
        return f"#{obj.thread_id}" if obj.thread_id else "—"

    @admin.display(description="feedback comment")
    def comment(self, obj):
        return PRIVATE_TEXT if obj.feedback and self._hidden(obj) else obj.feedback or "—"

    @admin.display(description="prompt")
    def short_prompt(self, obj):
        return PRIVATE_TEXT if self._hidden(obj) else obj.prompt[:80]

    @admin.display(description="question")
    def question(self, obj):
        return PRIVATE_TEXT if self._hidden(obj) else obj.prompt

    @admin.display(description="answer")
    def answer(self, obj):
        return PRIVATE_TEXT if self._hidden(obj) else render_markdown(obj.answer.text)

    @admin.display(description="sources")
    def sources(self, obj):
        if self._hidden(obj):
            return PRIVATE_TEXT
        sources = obj.answer.sources
        if not sources:
            return "—"
        return format_html("<ol>{}</ol>", format_html_join(
            "", "<li>{} · passage {}</li>", ((source.filename, source.position) for source in sources)
        ))

    @admin.display(description="provider")
    def provider(self, obj):
        answer = obj.answer
        return f"{answer.provider} · {answer.model}" if answer.model else answer.provider or "—"

    @admin.display(description="tokens (prompt + completion)")
    def tokens(self, obj):
        if obj.prompt_tokens is None and obj.completion_tokens is None:
            return "—"
        return " + ".join("not reported" if count is None else str(count)
                          for count in (obj.prompt_tokens, obj.completion_tokens))

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
