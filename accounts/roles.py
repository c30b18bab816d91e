"""The roles people hold: a global role on the user, and a role in each workspace they belong to
(an invite grants one, so they live with people). What each may do: `accounts.rules` for the
rules about people alone, `workspaces.permissions` for everything else (built on those)."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    DEFAULT = "default", "Member"



class WorkspaceRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


ROLE_HELP = {
    WorkspaceRole.VIEWER: "reads, searches and asks",
    WorkspaceRole.EDITOR: "also uploads, and deletes the documents they uploaded",
    WorkspaceRole.OWNER: "also manages members and settings, and deletes any document",
}
