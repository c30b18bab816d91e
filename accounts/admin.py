from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import rules, services
from accounts.forms import UsernameField
from accounts.models import AuditEvent, Invite, User
from accounts.passwords import RESET_LINK_HOURS, password_reset_issue
from accounts.roles import Role
from accounts.second_factor import second_factor_reset


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
    """No "password-based authentication" choice: Docent has no other way to sign in, except
    for a service account, which has no password (it never signs in; it uses API keys)."""

    username = UsernameField()
    usable_password = None

    class Meta:
        model = User
        fields = ("username", "role", "is_service_account")

    def validate_passwords(self, *args, **kwargs):
        if self.cleaned_data.get("is_service_account"):
            self.cleaned_data["usable_password"] = "false"  # noqa: S105  (Django's "no usable password" choice)
        return super().validate_passwords(*args, **kwargs)


class UserChangeForm(RoleRulesFormMixin, DjangoUserChangeForm):
    username = UsernameField()

    class Meta:
        model = User
        fields = ("username", "password", "role", "suspended", "email", "daily_message_limit")


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
    list_display = ("username", "role", "suspended", "is_service_account", "created_at", "last_login")
    list_filter = ("role", "suspended", "is_service_account")
    search_fields = ("username",)
    ordering = ("username",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "created_at", "claimed_invite", "is_service_account")
    fieldsets = (
        (None, {"fields": ("username", "password", "is_service_account")}),
        ("Access", {"fields": ("role", "suspended", "email", "daily_message_limit")}),
        ("History", {"fields": ("created_at", "last_login", "claimed_invite")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "is_service_account", "password1", "password2")}),
    )
    inlines = (CreatedInvitesInline,)  # workspaces.admin adds the user's memberships
    actions = ("suspend_users", "unsuspend_users", "issue_password_reset_links", "reset_second_factor")

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

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            granted = rules.roles_managed_by(request.user)
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in granted]
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
        services.user_save(actor=request.user, user=obj, request=request)

    def delete_model(self, request, obj):
        services.user_delete(actor=request.user, user=obj, request=request)

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

    @admin.action(description="Turn off two-factor for each selected user (a lost phone)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            try:
                second_factor_reset(actor=request.user, user=user, request=request)
            except PermissionDenied as refusal:
                self.message_user(request, f"{user.username}: {refusal}", messages.ERROR)
                continue
            self.message_user(request, f"{user.username}: two-factor is off; they can set it up again.")

    @admin.action(description="Suspend selected users")
    def suspend_users(self, request, queryset):
        self._set_suspended(request, queryset, True)

    @admin.action(description="Restore (unsuspend) selected users")
    def unsuspend_users(self, request, queryset):
        self._set_suspended(request, queryset, False)


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
