"""The invite admin (an accounts model; here because its lists are scoped by the workspaces a
user runs): links with uses, expiry and a role, listed so they read at 1366 px."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from accounts import invites
from accounts.models import Invite, InviteStatus
from workspaces.models import Workspace
from workspaces.permissions import MANAGE_MEMBERS, default_member_role, runs_every_workspace, workspaces_where


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("short_code", "copy_link", "state", "uses", "expires", "role", "workspace_names", "issued")
    list_filter = ("status", "role")
    # The whole code or nobody: a prefix search would be a way to read codes one character at a time.
    search_fields = ("=code", "claimed_by__username", "created_by__username")
    list_select_related = ("created_by",)
    readonly_fields = ("claim_link", "state", "use_count", "created_by", "claimed_by", "claimed_at", "created_at")
    fields = ("claim_link", "state", "workspaces", "role", "max_uses", "expires_at", "use_count", "created_by",
              "claimed_by", "claimed_at", "created_at")
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ("disable_invites",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        invites = super().get_queryset(request).prefetch_related("workspaces")
        if runs_every_workspace(request.user):
            return invites
        # A manager limited to owned workspaces: the invites they issued or that grant one of those.
        managed = workspaces_where(request.user, MANAGE_MEMBERS, Workspace.objects)
        return invites.filter(Q(created_by=request.user) | Q(workspaces__in=managed.values("pk"))).distinct()

    def get_changeform_initial_data(self, request):
        return {"role": default_member_role(), **super().get_changeform_initial_data(request)}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "workspaces":
            # Only workspaces whose members this user manages (a manager limited to their own, say).
            kwargs["queryset"] = workspaces_where(
                request.user, MANAGE_MEMBERS, Workspace.objects.all()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="code")
    def short_code(self, obj):
        return f"{obj.code[:8]}…"

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        # An invite not saved yet has no state: a refused add form would show the values typed
        # (an expiry in the past read as "Expired").
        return obj.state_label if obj.pk else "New: pending once saved"

    @admin.display(description="uses")
    def uses(self, obj):
        return f"{obj.use_count} of {obj.max_uses}"

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj):
        return date_format(timezone.localtime(obj.expires_at), "j M Y H:i") if obj.expires_at else "never"

    @admin.display(description="claim link")
    def claim_link(self, obj):
        if not obj.pk:
            return "Save the invite to get its link."
        if obj.state != InviteStatus.PENDING:
            return "—"
        url = obj.get_absolute_url()
        return format_html(
            '<a href="{}" class="claim-link">{}</a> <button type="button" class="button copy-link" '
            'data-copy="{}">Copy</button>',
            url, f"{url[:18]}…", url,
        )

    @admin.display(description="link")
    def copy_link(self, obj):
        """A narrow column: the whole link lives in the button (and on the invite's page)."""
        if obj.state != InviteStatus.PENDING:
            return "—"
        url = obj.get_absolute_url()
        return format_html('<button type="button" class="button copy-link" data-copy="{}">Copy</button>', url)

    @admin.display(description="workspaces")
    def workspace_names(self, obj):
        """The first name and how many more: the full list is on the invite's page."""
        names = sorted(workspace.name for workspace in obj.workspaces.all())
        if not names:
            return "—"
        return f"{names[0]} +{len(names) - 1}" if len(names) > 1 else names[0]

    @admin.display(description="issued", ordering="created_at")
    def issued(self, obj):
        when = date_format(timezone.localtime(obj.created_at), "j M Y")
        return f"{when} by {obj.created_by}" if obj.created_by else when

    def save_model(self, request, obj, form, change):
        invites.invite_save(actor=request.user, invite=obj, workspaces=form.cleaned_data["workspaces"],
                             request=request)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # the workspaces were set by invite_save
            self.save_formset(request, form, formset, change=change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, f"Send this link to the person you invite: {request.build_absolute_uri(obj.get_absolute_url())}",
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Revoke selected invites")
    def disable_invites(self, request, queryset):
        count = invites.invites_disable(queryset=queryset, actor=request.user, request=request)
        self.message_user(request, f"Revoked {count} pending invite(s).", messages.SUCCESS)

    class Media:
        js = ("js/admin-copy.js",)
