"""Two admin pages beside the chat log: the language model setup and Insights (usage by day)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from settings_app.choices import ChatProvider
from settings_app.services import setting_get
from workspaces import permissions
from workspaces.chats import model_setup
from workspaces.chats.models import WorkspaceChat
from workspaces.insights.report import csv_or_none, report_context
from workspaces.models import Workspace
from workspaces.retrieval.checks import retrieval_status


class ModelSetupForm(forms.Form):
    provider = forms.ChoiceField(choices=ChatProvider.choices, label="Provider")
    base_url = forms.CharField(
        required=False, label="Server address", help_text="The API root including /v1, e.g. http://127.0.0.1:11434/v1.",
        widget=forms.TextInput(attrs={"size": 60, "placeholder": "http://127.0.0.1:11434/v1"}),
    )
    model = forms.CharField(required=False, label="Model")
    typed_key = forms.CharField(
        required=False, label="API key for this test", strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Only for List models, Test connection and the check on Save, sent only to the address above and "
                  "never stored. Without it, the stored key (LLM_API_KEY) is sent, and only to the saved address.",
    )

    def offer_models(self, models: list[str]):
        """Show the server's models as a choice (keeping a current value it no longer lists)."""
        current = (self.data.get("model") if self.is_bound else self.initial.get("model")) or ""
        choices = [("", "— choose a model —")] + [(name, name) for name in models]
        if current and current not in models:
            choices.append((current, f"{current} (not offered by the server)"))
        self.fields["model"].widget = forms.Select(choices=choices)


@sensitive_post_parameters("typed_key")
@sensitive_variables("typed_key", "data")
def model_setup_view(request, admin_site):
    """Admin → Language model: pick the server, list its models, test, save (admins only)."""
    if not request.user.has_module_perms("settings_app"):
        raise PermissionDenied
    initial = {"provider": setting_get("chat_provider"), "base_url": setting_get("llm_base_url"),
               "model": setting_get("llm_model")}
    form = ModelSetupForm(request.POST or None, initial=initial)
    action = request.POST.get("action", "")
    error, report, models = "", None, None
    base_url = (form.data.get("base_url") if form.is_bound else initial["base_url"]) or ""
    typed_key = (form.data.get("typed_key") if form.is_bound else "") or ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "save":
                model_setup.llm_setup_save(provider=data["provider"], base_url=data["base_url"], model=data["model"],
                                           typed_key=data["typed_key"], request=request)
                messages.success(request, "Language model saved.")
                return redirect("admin:language_model")
            if action == "test":
                report = model_setup.connection_test(base_url=data["base_url"], model=data["model"],
                                                     typed_key=data["typed_key"])
        except model_setup.ModelSetupError as refusal:
            error = refusal.message
    if base_url.strip():
        try:
            models = model_setup.models_list(base_url=base_url, typed_key=typed_key)
            form.offer_models(models)
        except model_setup.ModelSetupError as refusal:
            error = error or refusal.message
    context = {
        **admin_site.each_context(request), "title": "Language model", "form": form, "error": error,
        "report": report, "models": models, "retrieval_status": retrieval_status(),
    }
    return TemplateResponse(request, "admin/chats/language_model.html", context, status=400 if error else 200)


def usage_view(request, admin_site):
    """Admin → Insights: questions, answers, refusals, tokens and answer time by day, per workspace
    and per user, for the period asked (charts, tables, CSV downloads: workspaces.insights)."""
    if not permissions.may(request.user, permissions.READ_CHAT_LOG):
        raise PermissionDenied
    # The workspaces whose chat log the user reads (a manager limited to owned workspaces: those),
    # not every workspace they merely see.
    visible = permissions.workspaces_where(request.user, permissions.READ_CHAT_LOG, Workspace.objects.all())
    chats = WorkspaceChat.objects.filter(workspace__in=visible)
    groupings = ("workspace", "user")
    download = csv_or_none(chats=chats, query=request.GET, groupings=groupings, filename="docent-insights")
    if download is not None:
        return download
    context = {**admin_site.each_context(request), "title": "Insights",
               **report_context(chats=chats, query=request.GET, groupings=groupings)}
    return TemplateResponse(request, "admin/chats/usage.html", context, status=200 if context["period_valid"] else 400)
