from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Value, When

from accounts.base import DocentError
from settings_app.models import SystemSetting
from settings_app.registry import REGISTRY, Purpose
from settings_app.services import setting_check, setting_get, setting_set

MODEL_UNUSED = (
    "Saved, but workspaces answer with the built-in retrieval provider until chat_provider is openai-compatible: "
    "set the server, model and provider together in Admin → Language model."
)


class PurposeFilter(admin.SimpleListFilter):
    title = "purpose"
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(purpose, purpose) for purpose in Purpose.ORDER if any(s.purpose == purpose for s in REGISTRY.values())]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(label__in=[s.label for s in REGISTRY.values() if s.purpose == self.value()])
        return queryset


def _in_registry_order():
    """Purpose by purpose, and within one the order the registry lists them."""
    ranked = sorted(REGISTRY.values(), key=lambda s: Purpose.ORDER.index(s.purpose))
    return Case(*(When(label=s.label, then=Value(rank)) for rank, s in enumerate(ranked)), default=Value(999))


@admin.register(SystemSetting)
class SystemSettingAdmin(admin.ModelAdmin):
    """Labels come from the registry only: no adding, no deleting; each value gets its type's field."""

    list_display = ("name", "purpose", "current_value", "help", "last_updated_at")
    list_display_links = ("name",)
    list_filter = (PurposeFilter,)
    search_fields = ("label",)
    readonly_fields = ("name", "label", "help")
    fields = ("name", "label", "help", "value")

    @admin.display(description="setting")
    def name(self, obj):
        spec = REGISTRY.get(obj.label)
        return spec.name if spec else obj.label

    @admin.display(description="purpose")
    def purpose(self, obj):
        spec = REGISTRY.get(obj.label)
        return spec.purpose if spec else Purpose.OTHER

    @admin.display(description="value")
    def current_value(self, obj):
        spec = REGISTRY.get(obj.label)
        return spec.to_python(obj.value) if spec else obj.value

    @admin.display(description="what it does")
    def help(self, obj):
        spec = REGISTRY.get(obj.label)
        return spec.help_text if spec else "Unknown label: not used by Docent."

    def get_queryset(self, request):
        return super().get_queryset(request).filter(label__in=REGISTRY)

    def get_ordering(self, request):
        return [_in_registry_order().asc()]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        spec = REGISTRY[obj.label]
        value_field = spec.form_field()
        value_field.initial = spec.to_python(obj.value)
        if isinstance(value_field.initial, list):
            value_field.initial = "\n".join(f"{link['title']} | {link['url']}" for link in value_field.initial)

        class SettingForm(forms.ModelForm):
            value = value_field

            class Meta:
                model = SystemSetting
                fields = ("value",)

            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.initial["value"] = value_field.initial

            def clean_value(self):
                # The checks apps registered (the model settings are checked together with
                # Admin → Language model's rule: workspaces.apps).
                value = self.cleaned_data["value"]
                try:
                    setting_check(label=obj.label, value=value)
                except DocentError as refusal:
                    raise forms.ValidationError(refusal.message) from None
                return value

        kwargs["form"] = SettingForm
        kwargs["fields"] = ("value",)
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = setting_set(label=obj.label, value=form.cleaned_data["value"], actor=request.user, request=request)
        obj.pk, obj.value = saved.pk, saved.value
        if obj.label in ("llm_base_url", "llm_model") and setting_get("chat_provider") != "openai-compatible":
            self.message_user(request, MODEL_UNUSED, level=messages.WARNING)
