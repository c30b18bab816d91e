from datetime import timedelta

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.invites import invites_issue
from accounts.models import MAX_INVITE_USES
from accounts.roles import WorkspaceRole
from workspaces import (
    admin_groups,  # noqa: F401  (registers the group mappings' admins)
    admin_invites,  # noqa: F401  (registers the invite admin)
    admin_keys,  # noqa: F401  (registers the API key admin)
    permissions,
)
from workspaces.admin_memberships import MembershipInline, membership_formset_save
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.chats import admin as chats_admin  # noqa: F401  (registers the chat log)
from workspaces.chats.admin_forms import WorkspaceAdminForm
from workspaces.documents import admin as documents_admin
from workspaces.models import Workspace, WorkspaceChat, WorkspaceDocument, WorkspaceUser, count_of
from workspaces.services import workspace_delete, workspace_save
from workspaces.sources import admin as sources_admin  # noqa: F401  (registers the sources)


class IssueInvitesForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=50, initial=1, help_text="How many links (1–50).")
    max_uses = forms.IntegerField(
        min_value=1, max_value=MAX_INVITE_USES, initial=1, label="Uses per link",
        help_text="How many people may sign up with each link.",
    )
    role = forms.ChoiceField(choices=WorkspaceRole.choices, initial=WorkspaceRole.VIEWER,
                             help_text="The role each new member gets in the selected workspaces.")
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=365, required=False, label="Expires after (days)", help_text="Empty: never expires."
    )


@admin.register(Workspace)
class WorkspaceAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    workspace_lookup = ""
    form = WorkspaceAdminForm
    list_display = ("name", "slug", "member_count", "document_count", "chat_count", "private_chats", "created_at")
    list_filter = ("private_chats",)
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_at")
    inlines = (MembershipInline,)
    actions = ("issue_invites",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "private_chats", "created_at")}),
        (
            "Answering",
            {
                "fields": (
                    "chat_mode", "chat_provider", "chat_model", "fallback_to_builtin", "system_prompt",
                    "history_length", "top_n",
                    "similarity_threshold",
                )
            },
        ),
        ("Documents", {"fields": ("ocr_languages",)}),
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(
                member_total=count_of(WorkspaceUser),
                document_total=count_of(WorkspaceDocument),
                chat_total=count_of(WorkspaceChat),
            )
        )

    @admin.action(description="Issue invites for the selected workspaces")
    def issue_invites(self, request, queryset):
        """Ask how many, then issue that many invites, each granting every selected workspace."""
        form = IssueInvitesForm(
            request.POST if "count" in request.POST else None, initial={"role": permissions.default_member_role()}
        )
        if form.is_valid():
            count, days = form.cleaned_data["count"], form.cleaned_data["expires_in_days"]
            invites = invites_issue(
                created_by=request.user, workspaces=list(queryset), count=count, role=form.cleaned_data["role"],
                max_uses=form.cleaned_data["max_uses"],
                expires_at=timezone.now() + timedelta(days=days) if days else None, request=request,
            )
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
            lines, counts = documents_admin.documents_deletion_summary(workspace.documents.all())
            counts.update(chats=workspace.chats.count(), members=workspace.memberships.count())
            summary += [f"Workspace: {workspace.name}",
                        [*lines, f"{counts['chats']:,} chats", f"{counts['members']:,} memberships"]]
            for key, value in {"workspaces": 1, **counts}.items():
                totals[key] = totals.get(key, 0) + value
        return summary, {key: value for key, value in totals.items() if value}, set(), []

    def save_model(self, request, obj, form, change):
        workspace_save(actor=request.user, workspace=obj, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is WorkspaceUser:
            return membership_formset_save(request, formset)
        return super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        workspace_delete(workspace=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        """Through the service, so the documents' stored files go too."""
        for workspace in queryset:
            workspace_delete(workspace=workspace, actor=request.user, request=request)

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj):
        return obj.document_total

    @admin.display(description="chats", ordering="chat_total")
    def chat_count(self, obj):
        return obj.chat_total


