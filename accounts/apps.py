from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.core.checks import register

        from accounts import signals  # noqa: F401  (connects the audit receivers)
        from accounts.checks import proxy_settings_check

        register(proxy_settings_check)
