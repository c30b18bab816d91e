from workspaces import permissions


def site_permissions(request):
    """What the signed-in user may do outside any one workspace, for the layout and the home page
    (inside a workspace, pages get `may` from `WorkspaceMixin`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_may": {}}
    return {
        "site_may": {
            "use_admin": permissions.can_use_admin(user),
            "manage_workspaces": permissions.may(user, permissions.MANAGE_WORKSPACES),
            "create_workspace": permissions.may_create_workspace(user),
        }
    }
