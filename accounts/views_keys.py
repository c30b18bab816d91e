"""API keys on the account page: make one (its secret shown once, on the answer to the POST,
never stored or sent again) and revoke one. The rules are `accounts.api_keys`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views import View
from django.views.generic import FormView

from accounts import rules
from accounts.api_keys import ApiKey, api_key_create, api_key_revoke
from accounts.base import DocentError
from accounts.forms import ApiKeyForm


class ApiKeyCreateView(LoginRequiredMixin, FormView):
    form_class = ApiKeyForm
    template_name = "accounts/api_key_new.html"

    def get_form_kwargs(self):
        workspaces = rules.visible_workspaces(self.request.user).order_by("name")
        return {**super().get_form_kwargs(), "workspaces": workspaces}

    def form_valid(self, form):
        try:
            key, secret = api_key_create(
                user=self.request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                workspaces=form.cleaned_data["workspaces"], expires_at=form.expires_at(), request=self.request,
            )
        except (DocentError, PermissionDenied) as refusal:
            form.add_error(None, getattr(refusal, "message", str(refusal)))
            return self.form_invalid(form)
        response = self.response_class(
            request=self.request, template="accounts/api_key_created.html", context={"key": key, "secret": secret},
            status=201,
        )
        add_never_cache_headers(response)
        return response


class ApiKeyRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, public_id):
        key = get_object_or_404(ApiKey.objects.select_related("user"), user=request.user, public_id=public_id)
        api_key_revoke(key=key, request=request)
        messages.success(request, gettext("Key “%(name)s” (%(prefix)s…) revoked: it no longer works.") % {
            "name": key.name, "prefix": key.prefix,
        })
        return redirect("accounts:account")
