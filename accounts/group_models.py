"""Which identity-provider group gives which global role (single sign-on and LDAP alike).
The groups that give workspaces are mapped in the workspaces app (`workspaces.group_models`)."""

from django.db import models

from accounts.base import TimestampedModel
from accounts.roles import Role

GROUP_HELP = "The group's name as the identity provider sends it (the groups claim, or the LDAP group's cn)."


class GroupRole(TimestampedModel):
    """Members of `group` hold `role` while they are in it; checked at every sign-in."""

    group = models.CharField(max_length=255, unique=True, help_text=GROUP_HELP)
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        db_table = "sso_group_roles"
        ordering = ("group",)
        verbose_name = "group → role mapping"
        constraints = [models.CheckConstraint(condition=models.Q(role__in=Role.values), name="sso_group_roles_role")]

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"
