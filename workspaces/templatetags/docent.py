from django import template

from workspaces.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """`{{ chat.answer_text|markdown }}`: the value as sanitised HTML (see workspaces.rendering)."""
    return render_markdown("" if value is None else str(value))
