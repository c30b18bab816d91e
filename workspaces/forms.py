"""Forms of the owner's Members and Settings tabs: they only translate; the rules are workspaces.services."""

from django import forms
from django.utils.html import escape
from django.utils.text import Truncator

from accounts.models import MAX_INVITE_USES
from accounts.roles import WorkspaceRole
from settings_app.choices import ChatProvider
from settings_app.services import setting_get
from workspaces.documents.ocr import installed_languages
from workspaces.models import Workspace
from workspaces.services import OWNER_SETTINGS, allowed_chat_models


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=96, label="Username",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(choices=WorkspaceRole.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=WorkspaceRole.choices)


class WorkspaceSettingsForm(forms.ModelForm):
    """Name, description, answering and privacy. The model is chosen among those the admin allows."""

    chat_model = forms.ChoiceField(
        required=False, label="Model", help_text=Workspace._meta.get_field("chat_model").help_text
    )

    class Meta:
        model = Workspace
        fields = OWNER_SETTINGS
        labels = {"top_n": "Sources per answer", "private_chats": "Private chats", "chat_provider": "Provider",
                  "ocr_languages": "OCR languages",
                  "fallback_to_builtin": "Fall back to the built-in answer"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "system_prompt": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty field takes the server's value: each says which value that is now.
        server_provider = ChatProvider(setting_get("chat_provider")).label
        server_model = setting_get("llm_model") or "none set"
        models = allowed_chat_models()
        current = self.instance.chat_model
        choices = [("", f"The server's model (now: {server_model})")] + [(name, name) for name in models]
        if current and current not in models:
            choices.append((current, f"{current} (no longer offered)"))
        self.fields["chat_model"].choices = choices
        self.fields["chat_provider"].choices = [("", f"The server's default (now: {server_provider})")] + list(
            ChatProvider.choices
        )
        server_prompt = Truncator(setting_get("default_system_prompt")).chars(140)
        self.fields["system_prompt"].help_text += f" Now: “{escape(server_prompt)}”"  # help texts render as HTML
        self.fields["ocr_languages"].required = False  # left empty: unchanged
        installed = installed_languages()
        self.fields["ocr_languages"].help_text += (
            f" Installed here: {', '.join(installed)}." if installed else " OCR is not installed on this server."
        )

    def clean_ocr_languages(self):
        return self.cleaned_data.get("ocr_languages") or self.instance.ocr_languages

    def _post_clean(self):
        """Leave model validation to the service (it reports by field)."""


EXPIRY_CHOICES = (("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("", "Never"))


class InviteIssueForm(forms.Form):
    """An owner's invite link: the role it grants here, how many people may use it, when it expires."""

    role = forms.ChoiceField(choices=WorkspaceRole.choices, label="Role")
    max_uses = forms.IntegerField(
        min_value=1, max_value=MAX_INVITE_USES, initial=1, label="Uses",
        help_text=f"How many people may sign up with this link (1–{MAX_INVITE_USES}).",
    )
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, initial="7", label="Expires after",
    )


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name", help_text="Unique, whatever the case of its letters.")
    description = forms.CharField(
        required=False, max_length=2000, label="Description", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what the workspace is for.",
    )
