from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from accounts import services
from accounts.forms import UsernameField
from accounts.models import AuditEvent, Invite, InviteStatus, Role, User
from accounts.passwords import RESET_LINK_HOURS, password_reset_issue
from workspaces.permissions import MANAGE_MEMBERS, default_member_role, runs_every_workspace, workspaces_where


class RoleRulesFormMixin:
    """Checks the role rules against the signed-in admin user before saving."""

    actor: User = None

    def clean(self):
        cleaned = super().clean()
        target = self.instance if self.instance.pk else None
        try:
            services.user_check_change(
                actor=self.actor,
                target=target,
                new_role=cleaned.get("role"),
                new_suspended=cleaned.get("suspended"),
            )
        except (ValidationError, PermissionDenied) as error:
            raise forms.ValidationError(error.args[0] if isinstance(error, PermissionDenied) else error) from None
        return cleaned


class UserCreationForm(RoleRulesFormMixin, AdminUserCreationForm):
    """No "password-based authentication" choice: Docent has no other way to sign in."""

    username = UsernameField()
    usable_password = None

    class Meta:
        model = User
        fields = ("username", "role")


class UserChangeForm(RoleRulesFormMixin, DjangoUserChangeForm):
    username = UsernameField()

    class Meta:
        model = User
        fields = ("username", "password", "role", "suspended", "email", "daily_message_limit")


class MembershipInline(admin.TabularInline):
    model = User.workspaces.through
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("workspace",)
    fields = ("workspace", "role")

    def _managed(self, request):
        Workspace = apps.get_model("workspaces", "Workspace")
        return workspaces_where(request.user, MANAGE_MEMBERS, Workspace.objects.all())

    def get_queryset(self, request):
        """Only memberships of workspaces whose members this user manages (all, for an admin)."""
        return super().get_queryset(request).filter(workspace__in=self._managed(request).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = self._managed(request)  # a forged POST cannot name another workspace
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
    verbose_name = "workspace"
    verbose_name_plural = "workspaces"


class CreatedInvitesInline(admin.TabularInline):
    model = Invite
    fk_name = "created_by"
    extra = 0
    can_delete = False
    fields = ("code", "status", "claimed_by", "created_at")
    readonly_fields = fields
    verbose_name_plural = "invites issued"
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("username", "role", "suspended", "created_at", "last_login")
    list_filter = ("role", "suspended")
    search_fields = ("username",)
    ordering = ("username",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "created_at", "claimed_invite")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Access", {"fields": ("role", "suspended", "email", "daily_message_limit")}),
        ("History", {"fields": ("created_at", "last_login", "claimed_invite")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    inlines = (MembershipInline, CreatedInvitesInline)
    actions = ("suspend_users", "unsuspend_users", "issue_password_reset_links")

    @admin.display(description="joined with invite")
    def claimed_invite(self, obj):
        invite = obj.invite or obj.claimed_invites.first()
        return str(invite) if invite else "—"

    @admin.action(description="Issue a password reset link for each selected user")
    def issue_password_reset_links(self, request, queryset):
        for user in queryset:
            try:
                token = password_reset_issue(actor=request.user, user=user)
            except PermissionDenied as refusal:
                self.message_user(request, f"{user.username}: {refusal}", messages.ERROR)
                continue
            link = request.build_absolute_uri(reverse("accounts:password_reset", kwargs={"token": token}))
            self.message_user(
                request, f"Send this one-time link to {user.username} (it works for {RESET_LINK_HOURS} hours): {link}",
                messages.INFO,
            )

    def get_queryset(self, request):
        return super().get_queryset(request).manageable_by(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and request.user.role != Role.ADMIN:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value != Role.ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the rules below
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not services.user_delete_allowed(actor=request.user, user=obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.user_save(actor=request.user, user=obj)

    def delete_model(self, request, obj):
        services.user_delete(actor=request.user, user=obj)

    def _set_suspended(self, request, queryset, suspended):
        changed, refused = 0, []
        for user in queryset:
            try:
                services.user_set_suspended(actor=request.user, user=user, suspended=suspended)
                changed += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{user.username}: {error.messages[0] if hasattr(error, 'messages') else error}")
        verb = "Suspended" if suspended else "Restored"
        if changed:
            self.message_user(request, f"{verb} {changed} user(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Suspend selected users")
    def suspend_users(self, request, queryset):
        self._set_suspended(request, queryset, True)

    @admin.action(description="Restore (unsuspend) selected users")
    def unsuspend_users(self, request, queryset):
        self._set_suspended(request, queryset, False)


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("short_code", "copy_link", "state", "uses", "expires", "role", "workspace_names", "issued")
    list_filter = ("status", "role")
    search_fields = ("code", "claimed_by__username", "created_by__username")
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
        managed = workspaces_where(request.user, MANAGE_MEMBERS, apps.get_model("workspaces", "Workspace").objects)
        return invites.filter(Q(created_by=request.user) | Q(workspaces__in=managed.values("pk"))).distinct()

    def get_changeform_initial_data(self, request):
        return {"role": default_member_role(), **super().get_changeform_initial_data(request)}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "workspaces":
            # Only workspaces whose members this user manages (a manager limited to their own, say).
            kwargs["queryset"] = workspaces_where(
                request.user, MANAGE_MEMBERS, apps.get_model("workspaces", "Workspace").objects.all()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="code")
    def short_code(self, obj):
        return f"{obj.code[:8]}…"

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        return obj.state_label

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
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, f"Send this link to the person you invite: {request.build_absolute_uri(obj.get_absolute_url())}",
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Revoke selected invites")
    def disable_invites(self, request, queryset):
        count = services.invites_disable(queryset=queryset)
        self.message_user(request, f"Revoked {count} pending invite(s).", messages.SUCCESS)

    class Media:
        js = ("js/admin-copy.js",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ("created_at", "action", "username", "ip_address", "detail")
    list_filter = ("action",)
    search_fields = ("username", "ip_address", "detail")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "action", "user", "username", "ip_address", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
