"""Forms of the owner's Members and Settings tabs: they only translate; the rules are workspaces.services."""

from django import forms

from accounts.roles import WorkspaceRole
from settings_app.choices import ChatProvider
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

    chat_model = forms.ChoiceField(required=False, label="Model")

    class Meta:
        model = Workspace
        fields = OWNER_SETTINGS
        labels = {"top_n": "Sources per answer", "private_chats": "Private chats", "chat_provider": "Provider",
                  "fallback_to_builtin": "Fall back to the built-in answer"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "system_prompt": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        models = allowed_chat_models()
        current = self.instance.chat_model
        choices = [("", "The server's default model")] + [(name, name) for name in models]
        if current and current not in models:
            choices.append((current, f"{current} (no longer offered)"))
        self.fields["chat_model"].choices = choices
        self.fields["chat_provider"].choices = [("", "The server's default")] + list(ChatProvider.choices)

    def _post_clean(self):
        """Leave model validation to the service (it reports by field)."""
