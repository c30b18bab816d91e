"""The admin side of `workspaces.permissions`."""

from workspaces import permissions


class PermissionsAdminMixin:
    """A model admin whose every permission is the one answer of `workspaces.permissions`."""

    permission_action = permissions.MANAGE_WORKSPACES

    def _may(self, request):
        return permissions.may(request.user, self.permission_action)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request, obj=None):  # inlines pass the parent object
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)
