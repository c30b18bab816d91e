"""Forms of the owner's Members and Settings tabs: they only translate; the rules are workspaces.services."""

from django import forms
from django.utils.html import escape
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import MAX_INVITE_USES
from accounts.roles import WorkspaceRole
from settings_app.choices import ChatProvider
from settings_app.services import setting_get
from workspaces.documents.ocr import installed_languages
from workspaces.models import Workspace
from workspaces.services import OWNER_SETTINGS, allowed_chat_models


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=96, label=_("Username"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(choices=WorkspaceRole.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=WorkspaceRole.choices)


class WorkspaceSettingsForm(forms.ModelForm):
    """Name, description, answering and privacy. The model is chosen among those the admin allows."""

    chat_model = forms.ChoiceField(
        required=False, label=_("Model"), help_text=Workspace._meta.get_field("chat_model").help_text
    )

    class Meta:
        model = Workspace
        fields = OWNER_SETTINGS
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "system_prompt": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "name": _("Name"), "description": _("Description"), "top_n": _("Sources per answer"),
            "private_chats": _("Private chats"), "chat_provider": _("Provider"), "ocr_languages": _("OCR languages"),
            "fallback_to_builtin": _("Fall back to the built-in answer"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty field takes the server's value: each says which value that is now.
        server_provider = ChatProvider(setting_get("chat_provider")).label
        server_model = setting_get("llm_model") or gettext("none set")
        models = allowed_chat_models()
        current = self.instance.chat_model
        choices = [("", gettext("The server's model (now: %(model)s)") % {"model": server_model})]
        choices += [(name, name) for name in models]
        if current and current not in models:
            choices.append((current, gettext("%(model)s (no longer offered)") % {"model": current}))
        self.fields["chat_model"].choices = choices
        self.fields["chat_provider"].choices = [
            ("", gettext("The server's default (now: %(provider)s)") % {"provider": server_provider}),
        ] + list(ChatProvider.choices)
        server_prompt = Truncator(setting_get("default_system_prompt")).chars(140)
        self.fields["system_prompt"].help_text = format_lazy(  # help texts render as HTML
            "{} {}", self.fields["system_prompt"].help_text,
            gettext("Now: “%(prompt)s”") % {"prompt": escape(server_prompt)},
        )
        self.fields["ocr_languages"].required = False  # left empty: unchanged
        installed = installed_languages()
        self.fields["ocr_languages"].help_text = format_lazy("{}{}", self.fields["ocr_languages"].help_text, (
            gettext(" Installed here: %(languages)s.") % {"languages": ", ".join(installed)}
            if installed else gettext(" OCR is not installed on this server.")
        ))

    def clean_ocr_languages(self):
        return self.cleaned_data.get("ocr_languages") or self.instance.ocr_languages

    def _post_clean(self):
        """Leave model validation to the service (it reports by field)."""


EXPIRY_CHOICES = (("1", _("1 day")), ("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days")), ("", _("Never")))


class InviteIssueForm(forms.Form):
    """An owner's invite link: the role it grants here, how many people may use it, when it expires."""

    role = forms.ChoiceField(choices=WorkspaceRole.choices, label=_("Role"))
    max_uses = forms.IntegerField(
        min_value=1, max_value=MAX_INVITE_USES, initial=1, label=_("Uses"),
        help_text=format_lazy(_("How many people may sign up with this link (1–{max})."), max=MAX_INVITE_USES),
    )
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, initial="7", label=_("Expires after"),
    )


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"), help_text=_("Unique, whatever the case of its letters."))
    description = forms.CharField(
        required=False, max_length=2000, label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what the workspace is for."),
    )
