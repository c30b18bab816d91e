"""The admin side of `workspaces.permissions`: every model admin of a workspace thing asks there,
per object, and lists only the workspaces where the signed-in user may do its action."""

from workspaces import permissions


class PermissionsAdminMixin:
    """A model admin whose every permission is the one answer of `workspaces.permissions`.

    `permission_action` is what the admin needs; `workspace_lookup` is the path from a row to
    its workspace ("" for the Workspace admin itself)."""

    permission_action = permissions.MANAGE_WORKSPACES
    workspace_lookup = "workspace"

    def workspace_of(self, obj):
        if obj is None:
            return None
        return obj if not self.workspace_lookup else getattr(obj, self.workspace_lookup)

    def _may(self, request, obj=None):
        return permissions.may(request.user, self.permission_action, self.workspace_of(obj))

    def get_queryset(self, request):
        return self.scoped(request, super().get_queryset(request))

    def scoped(self, request, queryset):
        """Only the rows of workspaces where the user may do `permission_action`."""
        if permissions.runs_every_workspace(request.user):
            return queryset
        from workspaces.models import Workspace

        allowed = permissions.workspaces_where(request.user, self.permission_action, Workspace.objects.all())
        if not self.workspace_lookup:
            return queryset.filter(pk__in=allowed.values("pk"))
        return queryset.filter(**{f"{self.workspace_lookup}__in": allowed.values("pk")})

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):  # inlines pass the parent object
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)
