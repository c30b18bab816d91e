from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from accounts.throttle import LOCKED_OUT, is_locked_out, lockout_minutes
from accounts.validators import USERNAME_HELP_TEXT, USERNAME_MAX_LENGTH, normalize_username, username_validators

SUSPENDED_MESSAGE = "This account is suspended. Ask an administrator of this Docent to restore it."
USERNAME_TAKEN = "That username is taken. Choose another."
PASSWORDS_DIFFER = "The two passwords differ."


class UsernameField(forms.CharField):
    """The one username rule: trimmed, folded to lower case, then validated."""

    default_validators = username_validators

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", USERNAME_MAX_LENGTH + 32)
        kwargs.setdefault("help_text", USERNAME_HELP_TEXT)
        super().__init__(**kwargs)
        self.widget.attrs.update(autocapitalize="none", autocomplete="username", spellcheck="false")

    def to_python(self, value):
        return normalize_username(super().to_python(value))


class NewAccountForm(forms.Form):
    """Username and a password typed twice; used by first-run setup and invite signup."""

    username = UsernameField()
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(USERNAME_TAKEN, code="taken")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif password1 and cleaned.get("username"):
            try:
                password_validation.validate_password(password1, User(username=cleaned["username"]))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(AuthenticationForm):
    """Same message for an unknown user and a wrong password; the suspension
    message only after a correct password."""

    username = UsernameField(help_text="")

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match an account.",
        "suspended": SUSPENDED_MESSAGE,
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            if is_locked_out(request=self.request, username=username):
                audit_record(AuditAction.SIGN_IN_LOCKED, request=self.request, username=username)
                raise forms.ValidationError(LOCKED_OUT, code="locked_out", params={"minutes": lockout_minutes()})
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                audit_record(AuditAction.SIGN_IN_FAILED, request=self.request, username=username)
                suspended = User.objects.filter(username=username, suspended=True).first()
                if suspended is not None and suspended.check_password(password):
                    raise forms.ValidationError(self.error_messages["suspended"], code="suspended")
                raise self.get_invalid_login_error()
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
        if not user.is_staff:
            raise self.get_invalid_login_error()
