import re

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.generic import FormView

from accounts import rules
from accounts.account_sections import account_sections
from accounts.forms import InviteSignUpForm, NewAccountForm, SignInForm
from accounts.http import status_for
from accounts.invite_throttle import InviteThrottled
from accounts.invites import InviteUnavailable, UsernameTaken, invite_check, invite_claim
from accounts.middleware import has_users
from accounts.models import INVITE_CODE_PATTERN, Invite
from accounts.passwords import password_reset_by_email_enabled
from accounts.preferences import Language
from accounts.services import SetupAlreadyDone, setup_create_first_admin
from accounts.views_second_factor import SecondFactorSignInMixin
from accounts.views_sso import ProviderButtonsMixin


class SignInView(ProviderButtonsMixin, SecondFactorSignInMixin, LoginView):
    """Local passwords (and LDAP ones), then the code step for accounts with two-factor; a button
    per single sign-on provider."""

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_by_email=password_reset_by_email_enabled(), **kwargs)


class SignOutView(LogoutView):
    """Signing out is a POST; a GET (a typed or bookmarked /logout/) asks to confirm."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/logout_confirm.html")


class SetupView(FormView):
    """First run: create the first admin. Answers 404 once any user exists."""

    form_class = NewAccountForm
    template_name = "accounts/setup.html"

    def dispatch(self, request, *args, **kwargs):
        if has_users():
            raise Http404("Docent is already set up.")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = setup_create_first_admin(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except SetupAlreadyDone:
            raise Http404("Docent is already set up.") from None
        except ValidationError as error:
            form.add_account_errors(error)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome! Create a workspace and invite people from the admin.")
        return redirect("home")


class InviteClaimView(ProviderButtonsMixin, FormView):
    """Sign up with an invite code: a pending code shows who invited and what it grants."""

    form_class = InviteSignUpForm
    template_name = "accounts/invite.html"

    def dispatch(self, request, *args, **kwargs):
        code = kwargs["code"]
        if not re.fullmatch(INVITE_CODE_PATTERN, code):
            raise Http404("No such invite.")
        self.invite = get_object_or_404(Invite.objects.select_related("created_by"), code=code)
        try:
            invite_check(self.invite)
        except InviteUnavailable as refusal:
            return self.unavailable(refusal)
        if request.user.is_authenticated:
            return render(request, "accounts/invite_signed_in.html", {"invite": self.invite}, status=409)
        return super().dispatch(request, *args, **kwargs)

    def unavailable(self, refusal: InviteUnavailable):
        """Expired, used up or revoked: a page that says which."""
        self.invite.refresh_from_db()
        context = {"message": refusal.message, "state": self.invite.state_label}
        return render(self.request, "accounts/invite_unavailable.html", context, status=status_for(refusal))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invite=self.invite, granted_workspaces=self.invite.workspaces.order_by("name"), **kwargs
        )

    def form_valid(self, form):
        try:
            user = invite_claim(
                code=self.invite.code, username=form.cleaned_data["username"], password=form.cleaned_data["password1"],
                request=self.request,
            )
        except InviteUnavailable as refusal:
            return self.unavailable(refusal)
        except InviteThrottled as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=status_for(refusal))
        except UsernameTaken as refusal:
            form.add_error("username", refusal.message)
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_account_errors(error)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request, gettext("Welcome, %(username)s! Your account is ready.") % {"username": user.username}
        )
        landing = self.invite.workspaces.order_by("name").first()  # the only one, or the first
        return redirect(landing.get_absolute_url() if landing else "home")


class AccountView(PasswordChangeView):
    """The signed-in user's role, workspaces and password. Changing the password
    ends every other session and keeps this one."""

    template_name = "accounts/account.html"
    success_url = reverse_lazy("accounts:account")

    def get_context_data(self, **kwargs):
        visible = rules.visible_workspaces(self.request.user).with_role_of(self.request.user)
        keys = self.request.user.api_keys.prefetch_related("workspaces").order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at"
        )
        return super().get_context_data(
            workspaces=visible, api_keys=keys, language_choices=Language.choices,
            **account_sections(self.request), **kwargs,
        )

    def form_valid(self, form):
        messages.success(self.request, gettext("Password changed. Your other sessions are signed out."))
        return super().form_valid(form)
