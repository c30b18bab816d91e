"""API keys in the admin (an accounts model; here because a key may be limited to workspaces).

Keys are secrets: the hash is never shown or searched, the list filters only by what it
declares (config.admin_safety), and a new key's secret is shown once on the page that answers
the "Save" (never in a message, which would keep it in a cookie). Admins and managers make
keys for the people they manage, service accounts above all, through `api_key_create`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from accounts.api_keys import ApiKey, api_key_create, api_key_revoke
from accounts.key_models import ApiScope
from accounts.models import User
from workspaces import permissions
from workspaces.models import Workspace


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ("user", "name", "scopes", "workspaces", "expires_at")
        widgets = {"workspaces": forms.CheckboxSelectMultiple}


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "scope_list", "created_at", "last_used_at", "last_used_ip",
                    "expires_at", "revoked_at")
    list_filter = ("user__is_service_account",)
    search_fields = ("name", "user__username", "=public_id")
    list_select_related = ("user",)
    readonly_fields = ("prefix", "user", "name", "scope_list", "workspace_names", "expires_at", "created_by",
                       "created_at", "last_used_at", "last_used_ip", "revoked_at")
    actions = ("revoke_keys",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__in=User.objects.manageable_by(request.user))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ApiKeyAddForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # A key acts as its user: staff make keys for service accounts only (people make their own).
            kwargs["queryset"] = User.objects.manageable_by(request.user).filter(
                suspended=False, is_service_account=True
            )
            kwargs["help_text"] = "A service account (Accounts › Users › Add, “service account” ticked)."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "workspaces":
            kwargs["queryset"] = permissions.visible_workspaces(request.user, Workspace.objects.order_by("name"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the list keeps who had which key

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description="workspaces")
    def workspace_names(self, obj):
        return ", ".join(obj.workspaces.order_by("name").values_list("name", flat=True)) or "All the user's"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.key, obj.secret = api_key_create(
            user=data["user"], name=data["name"], scopes=data["scopes"], workspaces=data["workspaces"],
            expires_at=data["expires_at"], actor=request.user, request=request,
        )
        obj.pk = obj.key.pk

    def save_related(self, request, form, formsets, change):
        """The service set the workspaces."""

    def log_addition(self, request, obj, message):
        return super().log_addition(request, obj.key, message)

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(request, "admin/accounts/api_key_created.html", {
            **self.admin_site.each_context(request), "title": "API key created", "key": obj.key, "secret": obj.secret,
            "opts": self.opts,
        }, status=201)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        revoked = 0
        for key in queryset.select_related("user"):
            try:
                api_key_revoke(key=key, request=request)
                revoked += 1
            except PermissionDenied as refusal:
                self.message_user(request, f"{key}: {refusal}", messages.ERROR)
        self.message_user(request, f"Revoked {revoked} key(s): they no longer work.", messages.SUCCESS)
