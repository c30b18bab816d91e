from django.contrib.admin.apps import AdminConfig


class DocentAdminConfig(AdminConfig):
    """The Django admin, on Docent's own site class (see config.admin_site)."""

    default_site = "config.admin_site.DocentAdminSite"
