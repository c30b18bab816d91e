from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = "System settings"

    def ready(self):
        from settings_app.services import settings_create_missing

        post_migrate.connect(lambda **kwargs: settings_create_missing(), sender=self, weak=False)
