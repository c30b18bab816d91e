"""The admin site, configured in one place: Docent's sign-in form (lockout and audit),
the app name as its title, no Django groups (roles are Docent's own), every model admin
answering refusals and bad input with a message and accepting only the filters it declares
(config.admin_safety), and the pages that are
not a model's: the language model setup and Insights (usage by day)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import Group
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from accounts.forms import AdminSignInForm
from accounts.views_second_factor import SecondFactorSignInMixin
from config.admin_safety import DeclaredLookupsOnlyMixin, RefusalsAsMessagesMixin
from workspaces import permissions

# allauth's e-mail addresses, provider apps (they come from the environment), tokens (not stored) and
# authenticators (turned off through the users' action, audited) have no admin page.
UNUSED_MODELS = (Group, EmailAddress, SocialApp, SocialToken, Authenticator)
SAFETY_MIXINS = (RefusalsAsMessagesMixin, DeclaredLookupsOnlyMixin)


class AdminSignInView(SecondFactorSignInMixin, LoginView):
    """The admin's sign-in page: the same lockout, audit and second factor as the site's."""


class DocentAdminSite(admin.AdminSite):
    login_form = AdminSignInForm

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Django's AdminSite.login with Docent's sign-in view (the code step for two-factor accounts)."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request), "title": "Log in", "subtitle": None,
            "app_path": request.get_full_path(), "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return AdminSignInView.as_view(
            extra_context=context, authentication_form=self.login_form, template_name="admin/login.html"
        )(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        models = [model for model in models if model not in UNUSED_MODELS]
        if models:
            admin_class = admin_class or admin.ModelAdmin
            # Every model admin turns refusals and bad input into messages, and accepts only the
            # filters it declares (config.admin_safety).
            safety = tuple(mixin for mixin in SAFETY_MIXINS if not issubclass(admin_class, mixin))
            if safety:
                admin_class = type(admin_class.__name__, (*safety, admin_class), {"__module__": admin_class.__module__})
            super().register(models, admin_class, **options)

    def get_urls(self):
        from workspaces.chats import admin_views

        return [
            path("language-model/", self.admin_view(lambda request: admin_views.model_setup_view(request, self)),
                 name="language_model"),
            path("usage/", self.admin_view(lambda request: admin_views.usage_view(request, self)), name="usage"),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        pages = []
        if request.user.has_module_perms("settings_app"):
            pages.append(("Language model", "admin:language_model"))
        if permissions.may(request.user, permissions.READ_CHAT_LOG):
            pages.append(("Insights", "admin:usage"))
        if pages:
            apps.append({
                "name": "Answering", "app_label": "answering", "app_url": reverse(pages[0][1]),
                "has_module_perms": True,
                "models": [{"name": name, "object_name": name, "admin_url": reverse(url), "view_only": True,
                            "perms": {"view": True}} for name, url in pages],
            })
        return apps
