"""The roles a member holds in one workspace (an invite grants one, so they live with people).
What each may do is `workspaces.permissions`."""

from django.db import models


class WorkspaceRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


ROLE_HELP = {
    WorkspaceRole.VIEWER: "reads, searches and asks",
    WorkspaceRole.EDITOR: "also uploads, and deletes the documents they uploaded",
    WorkspaceRole.OWNER: "also manages members and settings, and deletes any document",
}
