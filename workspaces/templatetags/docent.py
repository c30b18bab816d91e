from django import template

from workspaces.chats.rendering import render_markdown
from workspaces.documents.models import passage_url

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """`{{ chat.answer.text|markdown }}`: the value as sanitised HTML (see workspaces.chats.rendering)."""
    return render_markdown("" if value is None else str(value))


@register.simple_tag(name="passage_url")
def passage_url_tag(workspace, doc_id, position):
    """`{% passage_url workspace source.doc_id source.position %}`: the one address of a passage."""
    return passage_url(workspace_slug=workspace.slug, doc_id=doc_id, position=position)
