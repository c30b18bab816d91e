"""The roles people hold: a global role on the user, and a role in each workspace they belong to
(an invite grants one, so they live with people). What each may do: `accounts.rules` for the
rules about people alone, `workspaces.permissions` for everything else (built on those)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    DEFAULT = "default", _("Member")



class WorkspaceRole(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")


# A role inside a sentence ("You will join as viewer"): its own words, as languages differ in case.
WORKSPACE_ROLE_IN_TEXT = {
    WorkspaceRole.VIEWER: _("viewer"),
    WorkspaceRole.EDITOR: _("editor"),
    WorkspaceRole.OWNER: _("owner"),
}


ROLE_HELP = {
    WorkspaceRole.VIEWER: _("reads, searches and asks"),
    WorkspaceRole.EDITOR: _("also uploads, and deletes the documents they uploaded"),
    WorkspaceRole.OWNER: _("also manages members and settings, and deletes any document"),
}
