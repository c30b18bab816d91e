"""Which identity-provider group gives which workspace, with which role (single sign-on and
LDAP alike); applied at every sign-in by `workspaces.group_access`."""

from django.db import models

from accounts.base import TimestampedModel
from accounts.group_models import GROUP_HELP
from accounts.roles import WorkspaceRole


class GroupWorkspace(TimestampedModel):
    group = models.CharField(max_length=255, help_text=GROUP_HELP)
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="group_grants")
    role = models.CharField(max_length=16, choices=WorkspaceRole.choices, default=WorkspaceRole.VIEWER)

    class Meta:
        db_table = "sso_group_workspaces"
        ordering = ("group", "workspace__name")
        verbose_name = "group → workspace mapping"
        constraints = [
            models.UniqueConstraint(fields=("group", "workspace"), name="sso_group_workspaces_unique"),
            models.CheckConstraint(condition=models.Q(role__in=WorkspaceRole.values), name="sso_group_workspaces_role"),
        ]

    def __str__(self):
        return f"{self.group} → {self.workspace} ({self.get_role_display()})"
