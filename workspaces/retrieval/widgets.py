"""The search form's widgets written in Python: the filters offer one option per ready document,
and Django's widget templates (an include per option) cost more than the rest of the page.
Each renders exactly what Django's template of the same widget renders (tests compare them)."""

from html import escape as escape_text

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def escaped(value) -> str:
    """What Django's `conditional_escape` gives (safe strings as they are, the rest through `escape`),
    without its lazy wrappers: a select of 50 documents escapes a few hundred values."""
    return value.__html__() if hasattr(value, "__html__") else escape_text(str(value))


def html_attrs(attrs: dict) -> SafeString:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return mark_safe("".join(  # noqa: S308 - every name and value escaped
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    ))


class Select(forms.Select):
    """django/forms/widgets/select.html and select_option.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _ in widget["optgroups"]:
            listed = "".join(
                f'\n  <option value="{escaped(str(option["value"]))}"{html_attrs(option["attrs"])}>'
                f'{escaped(option["label"])}</option>\n'
                for option in options
            )
            if group_name:
                listed = f'\n  <optgroup label="{escaped(group_name)}">{listed}\n  </optgroup>'
            groups.append(listed)
        return mark_safe(  # noqa: S308 - every name, value and label escaped
            f'<select name="{escaped(widget["name"])}"{html_attrs(widget["attrs"])}>{"".join(groups)}\n</select>'
        )


class DateInput(forms.DateInput):
    """django/forms/widgets/input.html with type="date"."""

    input_type = "date"

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, html_attrs(widget["attrs"])
        )
