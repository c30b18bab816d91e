"""The password reset pages: use a one-time link, and (with email set up) ask for one."""

import re

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView

from accounts.forms import NewPasswordForm, PasswordResetRequestForm
from accounts.http import status_for
from accounts.passwords import (
    RESET_CODE_PATTERN,
    RESET_LINK_HOURS,
    RESET_LINK_UNUSABLE,
    RESET_REQUESTED,
    ResetLinkUnusable,
    password_reset_by_email_enabled,
    password_reset_complete,
    password_reset_link_user,
    password_reset_request,
)


class PasswordResetView(FormView):
    """/reset/<token>/: choose a new password. A spent, expired or unknown link says so (410)."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset.html"

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        try:
            if not re.fullmatch(RESET_CODE_PATTERN, token):
                raise ResetLinkUnusable(RESET_LINK_UNUSABLE)
            self.reset_user = password_reset_link_user(token)
        except ResetLinkUnusable as refusal:
            return self.unusable(refusal)
        return super().dispatch(request, *args, **kwargs)

    def unusable(self, refusal):
        return render(self.request, "accounts/password_reset_unusable.html", {"message": refusal.message},
                      status=status_for(refusal))

    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_user=self.reset_user, **kwargs)

    def form_valid(self, form):
        try:
            user = password_reset_complete(
                token=self.kwargs["token"], password=form.cleaned_data["password1"], request=self.request
            )
        except ResetLinkUnusable as refusal:
            return self.unusable(refusal)
        except ValidationError as error:
            form.add_error("password1", error)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Password changed. Your other sessions are signed out.")
        return redirect("home")


class PasswordResetRequestView(FormView):
    """/reset/: ask for a link by email. The same answer whether or not an account matches."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_request.html"

    def dispatch(self, request, *args, **kwargs):
        if not password_reset_by_email_enabled():
            raise Http404("Password reset by email is not set up: ask an administrator for a link.")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        password_reset_request(
            username_or_email=form.cleaned_data["username_or_email"],
            link_for=lambda token: self.request.build_absolute_uri(
                reverse("accounts:password_reset", kwargs={"token": token})
            ),
        )
        messages.info(self.request, RESET_REQUESTED % {"hours": RESET_LINK_HOURS})
        return redirect("accounts:login")
