from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_migrate


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = "System settings"

    def ready(self):
        from accounts.sign_in_policy import SignInPolicy, email_domains, sign_in_policy_register
        from settings_app.services import (
            setting_get,
            settings_create_missing,
            settings_request_finished,
            settings_request_started,
        )

        sign_in_policy_register(lambda: SignInPolicy(
            allowed_email_domains=email_domains(setting_get("sso_allowed_email_domains")),
            sso_required=setting_get("sso_required"),
            break_glass_username=setting_get("sso_break_glass_username").strip().lower(),
            second_factor_required_for_staff=setting_get("second_factor_required_for_staff"),
        ))
        request_started.connect(settings_request_started, weak=False, dispatch_uid="settings_app.request_started")
        request_finished.connect(settings_request_finished, weak=False, dispatch_uid="settings_app.request_finished")
        post_migrate.connect(lambda **kwargs: settings_create_missing(), sender=self, weak=False)
