"""The admin site, configured in one place: Docent's sign-in form (lockout and audit),
the app name as its title, no Django groups (roles are Docent's own), and every model
admin answering refusals and bad input with a message (config.admin_safety)."""

from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.forms import AdminSignInForm
from config.admin_safety import RefusalsAsMessagesMixin

UNUSED_MODELS = (Group,)


class DocentAdminSite(admin.AdminSite):
    login_form = AdminSignInForm

    def register(self, model_or_iterable, admin_class=None, **options):
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        models = [model for model in models if model not in UNUSED_MODELS]
        if models:
            admin_class = admin_class or admin.ModelAdmin
            if not issubclass(admin_class, RefusalsAsMessagesMixin):
                # Every model admin turns refusals and bad input into messages (config.admin_safety).
                admin_class = type(
                    admin_class.__name__, (RefusalsAsMessagesMixin, admin_class), {"__module__": admin_class.__module__}
                )
            super().register(models, admin_class, **options)
