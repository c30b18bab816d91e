"""The workspace admin's answering fields: the model override offers the server's models
and is checked by the same rule as the Language model page (workspaces.chats.model_setup);
the OCR languages by the same rule as the owner's Settings tab (workspaces.documents.ocr)."""

from django import forms
from django.core.exceptions import ValidationError

from settings_app.services import setting_get
from workspaces.chats import model_setup
from workspaces.documents.ocr import ocr_languages_check
from workspaces.models import Workspace


class WorkspaceAdminForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ("name", "chat_mode", "chat_provider", "chat_model", "fallback_to_builtin",
                  "system_prompt", "history_length", "top_n",
                  "similarity_threshold", "ocr_languages")  # the admin's fieldsets decide what is shown

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ocr_languages" in self.fields:
            self.fields["ocr_languages"].required = False  # left empty: unchanged (a new workspace: English)
        if "chat_model" not in self.fields or not setting_get("llm_base_url"):
            return
        offered = model_setup.models_offered(base_url=setting_get("llm_base_url"))
        if offered is None:
            return  # the field stays free text; saving an openai-compatible choice reports the error
        current = self.initial.get("chat_model") or ""
        choices = [("", f"— the system setting ({setting_get('llm_model') or 'none'}) —")]
        choices += [(name, name) for name in offered]
        if current and current not in offered:
            choices.append((current, f"{current} (not offered by the server)"))
        self.fields["chat_model"].widget = forms.Select(choices=choices)

    def clean(self):
        cleaned = super().clean()
        if {"chat_provider", "chat_model"} & set(self.changed_data):
            try:
                model_setup.workspace_model_check(
                    provider=cleaned.get("chat_provider") or "", model=cleaned.get("chat_model") or ""
                )
            except model_setup.ModelSetupError as refusal:
                raise forms.ValidationError(refusal.message) from None
        if not cleaned.get("ocr_languages"):
            cleaned["ocr_languages"] = self.instance.ocr_languages or "eng"
        elif "ocr_languages" in self.changed_data:
            try:
                cleaned["ocr_languages"] = ocr_languages_check(value=cleaned["ocr_languages"])
            except ValidationError as error:
                self.add_error("ocr_languages", error)
        return cleaned
