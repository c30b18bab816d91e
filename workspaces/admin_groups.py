"""The admin's group mappings (single sign-on and LDAP): group → role (admins only, an accounts
model kept here beside its workspace twin) and group → workspace with a role (whoever manages that
workspace's members). Both are applied at each person's next sign-in through their provider."""

from django.contrib import admin

from accounts import rules
from accounts.group_sync import group_role_delete, group_role_save
from accounts.models import GroupRole
from workspaces import permissions
from workspaces.admin_permissions import PermissionsAdminMixin
from workspaces.group_access import group_workspace_delete, group_workspace_save
from workspaces.group_models import GroupWorkspace
from workspaces.models import Workspace


@admin.register(GroupRole)
class GroupRoleAdmin(admin.ModelAdmin):
    list_display = ("group", "role", "last_updated_at")
    list_filter = ("role",)
    search_fields = ("group",)
    fields = ("group", "role")

    def has_module_permission(self, request):
        return rules.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_admin(request.user)

    def has_add_permission(self, request):
        return rules.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.is_admin(request.user)

    def save_model(self, request, obj, form, change):
        group_role_save(actor=request.user, mapping=obj, request=request)

    def delete_model(self, request, obj):
        group_role_delete(actor=request.user, mapping=obj, request=request)

    def delete_queryset(self, request, queryset):
        for mapping in queryset:
            group_role_delete(actor=request.user, mapping=mapping, request=request)


@admin.register(GroupWorkspace)
class GroupWorkspaceAdmin(PermissionsAdminMixin, admin.ModelAdmin):
    permission_action = permissions.MANAGE_MEMBERS
    list_display = ("group", "workspace", "role", "last_updated_at")
    list_filter = ("role",)
    search_fields = ("group", "workspace__name")
    list_select_related = ("workspace",)
    fields = ("group", "workspace", "role")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace":
            kwargs["queryset"] = permissions.workspaces_where(
                request.user, permissions.MANAGE_MEMBERS, Workspace.objects.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        group_workspace_save(actor=request.user, mapping=obj, request=request)

    def delete_model(self, request, obj):
        group_workspace_delete(actor=request.user, mapping=obj, request=request)

    def delete_queryset(self, request, queryset):
        for mapping in queryset.select_related("workspace"):
            group_workspace_delete(actor=request.user, mapping=mapping, request=request)
