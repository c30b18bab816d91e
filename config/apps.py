from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class OperationsConfig(AppConfig):
    """What an operator runs: health checks (`config.health`), backup and restore (`config.backup`)
    and their management commands. No models."""

    name = "config"
    label = "operations"
    verbose_name = "Operations"


class DocentAdminConfig(AdminConfig):
    """The Django admin, on Docent's own site class (see config.admin_site)."""

    default_site = "config.admin_site.DocentAdminSite"
