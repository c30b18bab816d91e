from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.core.checks import register

        from accounts import signals  # noqa: F401  (connects the audit receivers)
        from accounts.checks import proxy_settings_check
        from accounts.middleware import has_users_forget

        register(proxy_settings_check)
        # `migrate` and `flush` both end here: a flushed database has no users, so setup is open again.
        post_migrate.connect(lambda **kwargs: has_users_forget(), sender=self, weak=False)
