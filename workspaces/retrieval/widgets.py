"""The search form's widgets written in Python: the filters offer one option per ready document,
and Django's widget templates (an include per option) cost more than the rest of the page.
Each renders exactly what Django's template of the same widget renders (tests compare them)."""

from django import forms
from django.utils.html import format_html, format_html_join


def html_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class Select(forms.Select):
    """django/forms/widgets/select.html and select_option.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _ in widget["optgroups"]:
            listed = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>\n',
                ((str(option["value"]), html_attrs(option["attrs"]), option["label"]) for option in options),
            )
            groups.append(
                format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, listed) if group_name else listed
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            html_attrs(widget["attrs"]),
            format_html_join("", "{}", ((group,) for group in groups)),
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
