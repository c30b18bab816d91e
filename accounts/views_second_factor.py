"""Two-factor pages: the code step of signing in, and setting up / turning off an authenticator app."""

import base64

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView

from accounts.http import status_for
from accounts.second_factor import (
    PENDING_KEY,
    SecondFactorRefused,
    recovery_codes_left,
    recovery_codes_new,
    second_factor_check,
    second_factor_disable,
    second_factor_enable,
    second_factor_enabled,
    second_factor_pending_start,
    second_factor_pending_user,
    totp_secret_new,
)
from accounts.sign_in_policy import sign_in_policy

SETUP_SECRET_KEY = "docent.second_factor_secret"  # noqa: S105 (a session key)
BACKEND = "django.contrib.auth.backends.ModelBackend"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class EnableForm(PasswordForm):
    code = forms.CharField(label="Code from the app", max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


# The management page's forms: context name -> (form, prefix); each action posts one of them.
FORMS = {"enable_form": (EnableForm, "enable"), "codes_form": (PasswordForm, "codes"),
         "disable_form": (PasswordForm, "disable")}
ACTIONS = {"enable": "enable_form", "new-codes": "codes_form", "disable": "disable_form"}


class SecondFactorSignInMixin:
    """For the sign-in views (the site's and the admin's): an account with an authenticator gives
    its code on the next page before the session is signed in."""

    def form_valid(self, form):
        user = form.get_user()
        if not second_factor_enabled(user):
            return super().form_valid(form)
        second_factor_pending_start(request=self.request, user=user, next_url=self.get_success_url())
        return redirect("accounts:second_factor_sign_in")


class SecondFactorSignInView(FormView):
    """The code step of signing in (after the password)."""

    form_class = CodeForm
    template_name = "accounts/second_factor_sign_in.html"

    def dispatch(self, request, *args, **kwargs):
        if second_factor_pending_user(request) is None:
            request.session.pop(PENDING_KEY, None)
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user, next_url = second_factor_check(request=self.request, code=form.cleaned_data["code"])
        except SecondFactorRefused as refusal:
            if refusal.code == "gone":
                messages.error(self.request, refusal.message)
                return redirect("accounts:login")
            form.add_error("code", refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=status_for(refusal))
        login(self.request, user, backend=BACKEND)
        if not url_has_allowed_host_and_scheme(next_url, {self.request.get_host()}, self.request.is_secure()):
            next_url = "/"
        return redirect(next_url or "/")


class SecondFactorManageView(LoginRequiredMixin, View):
    """/account/two-factor/: set up an authenticator app (scan, then prove with a code), see how
    many recovery codes are left, make new ones, or turn two-factor off."""

    template_name = "accounts/second_factor.html"

    def context(self, **extra):
        user = self.request.user
        enabled = second_factor_enabled(user)
        context = {
            "enabled": enabled, "has_password": user.has_usable_password(),
            "required": sign_in_policy().second_factor_required_for_staff and user.is_staff,
            "codes_left": recovery_codes_left(user) if enabled else 0,
            **{key: form_class(prefix=prefix) for key, (form_class, prefix) in FORMS.items()}, **extra,
        }
        if not enabled and context["has_password"]:
            secret = self.request.session.get(SETUP_SECRET_KEY) or totp_secret_new()
            self.request.session[SETUP_SECRET_KEY] = secret
            adapter = get_mfa_adapter()
            url = adapter.build_totp_url(user, secret)
            svg = adapter.build_totp_svg(url).encode()
            context.update(secret=secret, qr_data_uri="data:image/svg+xml;base64," + base64.b64encode(svg).decode())
        return context

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        action = request.POST.get("action")
        if action not in ACTIONS:
            return self.invalid(action, None, status=400)
        form_class, prefix = FORMS[ACTIONS[action]]
        form = form_class(request.POST, prefix=prefix)
        if not form.is_valid():
            return self.invalid(action, form, status=400)
        password = form.cleaned_data["password"]
        try:
            if action == "enable":
                codes = second_factor_enable(user=request.user, password=password, code=form.cleaned_data["code"],
                                             secret=request.session.get(SETUP_SECRET_KEY, ""), request=request)
                request.session.pop(SETUP_SECRET_KEY, None)
            elif action == "new-codes":
                codes = recovery_codes_new(user=request.user, password=password, request=request)
            else:
                second_factor_disable(user=request.user, password=password, request=request)
                messages.success(request, "Two-factor is off.")
                return redirect("accounts:second_factor")
        except SecondFactorRefused as refusal:
            form.add_error("code" if refusal.message.startswith("That code") else "password", refusal.message)
            return self.invalid(action, form, status=status_for(refusal))
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": action == "enable"})

    def invalid(self, action, form, *, status):
        context = self.context(**({ACTIONS[action]: form} if form is not None else {}))
        return render(self.request, self.template_name, context, status=status)
