"""The password reset pages: open a one-time link, choose the password, and (with email set
up) ask for a link. The rules are in accounts.passwords and accounts.reset_requests."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from accounts.forms import NewPasswordForm, PasswordResetRequestForm
from accounts.http import status_for
from accounts.passwords import (
    RESET_LINK_HOURS,
    ResetLinkUnusable,
    password_reset_by_email_enabled,
    password_reset_complete,
    password_reset_grant_user,
    password_reset_link_exchange,
)
from accounts.reset_requests import RESET_REQUESTED, password_reset_request
from accounts.second_factor import password_reset_next_step, second_factor_pending_start
from accounts.sign_in_policy import SSO_ONLY

GRANT_SESSION_KEY = "password_reset_grant"


def unusable(request, refusal: ResetLinkUnusable):
    return render(request, "accounts/password_reset_unusable.html", {"message": refusal.message},
                  status=status_for(refusal))


@method_decorator(never_cache, name="dispatch")
class PasswordResetLinkView(View):
    """/reset/<token>/: the link's first request spends the token for this browser's session and
    redirects to /reset/set-password/, so the token reaches the access log once, already dead
    for anyone who reads it there. A spent, expired or unknown link says so (410)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            grant = password_reset_link_exchange(token=kwargs["token"])
        except ResetLinkUnusable as refusal:
            return unusable(request, refusal)
        request.session[GRANT_SESSION_KEY] = grant
        return redirect("accounts:password_reset_set")


@method_decorator(never_cache, name="dispatch")
class PasswordResetSetView(FormView):
    """/reset/set-password/: choose a new password, with the grant this session holds (410 without)."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset.html"

    def dispatch(self, request, *args, **kwargs):
        self.grant = request.session.get(GRANT_SESSION_KEY)
        try:
            self.reset_user = password_reset_grant_user(grant=self.grant)
        except ResetLinkUnusable as refusal:
            return unusable(request, refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_user=self.reset_user, **kwargs)

    def form_valid(self, form):
        try:
            user = password_reset_complete(
                grant=self.grant, password=form.cleaned_data["password1"], request=self.request
            )
        except ResetLinkUnusable as refusal:
            return unusable(self.request, refusal)
        except ValidationError as error:
            form.add_error("password1", error)
            return self.form_invalid(form)
        del self.request.session[GRANT_SESSION_KEY]
        step = password_reset_next_step(user)
        if step == "sso":
            messages.info(self.request, f"Password changed. {SSO_ONLY}")
            return redirect("accounts:login")
        if step == "second_factor":
            second_factor_pending_start(request=self.request, user=user, next_url="/")
            messages.success(self.request, "Password changed. Enter a code from your authenticator app to sign in.")
            return redirect("accounts:second_factor_sign_in")
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, gettext("Password changed. Your other sessions are signed out."))
        return redirect("home")


class PasswordResetRequestView(FormView):
    """/reset/: ask for a link by email. The same answer whether or not an account matches,
    and whether or not the request was throttled."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_request.html"

    def dispatch(self, request, *args, **kwargs):
        if not password_reset_by_email_enabled():
            raise Http404("Password reset by email is not set up: ask an administrator for a link.")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        password_reset_request(request=self.request, username_or_email=form.cleaned_data["username_or_email"])
        messages.info(self.request, gettext(RESET_REQUESTED) % {"hours": RESET_LINK_HOURS})
        return redirect("accounts:login")
