from datetime import timedelta

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.key_models import ApiScope
from accounts.services import account_check
from accounts.signin import INVALID_LOGIN, SUSPENDED_MESSAGE, SignInRefused, sign_in_check
from accounts.validators import USERNAME_HELP_TEXT, USERNAME_MAX_LENGTH, normalize_username, username_validators

PASSWORDS_DIFFER = gettext_noop("The two passwords differ.")
# account_check's error keys -> this form's fields
ACCOUNT_FIELDS = {"username": "username", "password": "password1"}


class UsernameField(forms.CharField):
    """The one username rule: trimmed, folded to lower case, then validated."""

    default_validators = username_validators

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", USERNAME_MAX_LENGTH + 32)
        kwargs.setdefault("label", _("Username"))
        kwargs.setdefault("help_text", USERNAME_HELP_TEXT)
        super().__init__(**kwargs)
        self.widget.attrs.update(autocapitalize="none", autocomplete="username", spellcheck="false")

    def to_python(self, value):
        return normalize_username(super().to_python(value))


class NewAccountForm(forms.Form):
    """Username and a password typed twice; used by first-run setup and invite signup.
    The rules are `accounts.services.account_check`'s; the form maps its errors to fields."""

    username = UsernameField()
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    # Whether the form itself asks account_check (first-run setup). The invite page leaves it
    # to the claim service, which throttles "That username is taken" answers.
    checks_account = True

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif self.checks_account and password1 and cleaned.get("username"):
            try:
                account_check(username=cleaned["username"], password=password1)
            except forms.ValidationError as error:
                self.add_account_errors(error)
        return cleaned

    def add_account_errors(self, error: forms.ValidationError) -> None:
        """`account_check`'s refusal, by field (also when a service call raced past the form)."""
        for field, messages in error.message_dict.items():
            self.add_error(ACCOUNT_FIELDS.get(field), messages)


class InviteSignUpForm(NewAccountForm):
    """The invite page's form: the account rules are checked by `invite_claim`, once, throttled."""

    checks_account = False


class SignInForm(AuthenticationForm):
    """Translates `accounts.signin.sign_in_check` to the form: the same message for an
    unknown user and a wrong password; the suspension message only after a correct password."""

    username = UsernameField(help_text="")

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": INVALID_LOGIN,
        "suspended": SUSPENDED_MESSAGE,
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = sign_in_check(request=self.request, username=username, password=password)
            except SignInRefused as refusal:
                if refusal.code == "invalid":
                    raise self.get_invalid_login_error() from None
                raise forms.ValidationError(refusal.message, code=refusal.code) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSignInForm(SignInForm):
    """The admin's sign-in page: the same lockout, audit and messages, for staff only."""

    error_messages = {
        **SignInForm.error_messages,
        "invalid_login": "That username and password do not match an admin or manager account.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not rules.runs_the_admin(user):
            raise self.get_invalid_login_error()


class NewPasswordForm(forms.Form):
    """A new password typed twice (password reset links); Django's validators run in the service."""

    password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", PASSWORDS_DIFFER)
        return cleaned


class PasswordResetRequestForm(forms.Form):
    username_or_email = forms.CharField(
        label=_("Username or email address"), max_length=254,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username", "spellcheck": "false"}),
    )


API_KEY_LIFETIMES = (("", _("Never")), ("30", _("In 30 days")), ("90", _("In 90 days")), ("365", _("In a year")))


class ApiKeyForm(forms.Form):
    """A new API key: what the account page (and the admin, for a service account) asks."""

    name = forms.CharField(max_length=100, label=_("Name"), help_text=_("What the key is for, e.g. “upload script”."))
    scopes = forms.MultipleChoiceField(choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple, label=_("Scopes"))
    workspaces = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Workspaces"),
        help_text=_("None chosen: every workspace the account may use."),
    )
    expires_in_days = forms.TypedChoiceField(
        choices=API_KEY_LIFETIMES, coerce=int, empty_value=None, required=False, label=_("Expires"),
    )

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspaces"].queryset = workspaces

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return None if days is None else timezone.now() + timedelta(days=days)
