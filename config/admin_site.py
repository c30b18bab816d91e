"""The admin site, configured in one place: Docent's sign-in form (lockout and audit),
the app name as its title, and no Django groups (roles are Docent's own)."""

from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.forms import AdminSignInForm

UNUSED_MODELS = (Group,)


class DocentAdminSite(admin.AdminSite):
    login_form = AdminSignInForm

    def register(self, model_or_iterable, admin_class=None, **options):
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        models = [model for model in models if model not in UNUSED_MODELS]
        if models:
            super().register(models, admin_class, **options)
