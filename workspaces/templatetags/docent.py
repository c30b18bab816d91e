from django import template
from django.utils.http import urlencode

from workspaces.chats.rendering import render_markdown
from workspaces.documents.locations import location_label
from workspaces.documents.models import passage_url
from workspaces.retrieval.query import MAX_QUERY_CHARS

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """`{{ chat.answer.text|markdown }}`: the value as sanitised HTML (see workspaces.chats.rendering)."""
    return render_markdown("" if value is None else str(value))


@register.simple_tag(name="passage_url")
def passage_url_tag(workspace, doc_id, position, q=""):
    """`{% passage_url workspace source.doc_id source.position q=chat.prompt %}`: the one address of a
    passage; with `q`, the passage opens with those words marked."""
    url = passage_url(workspace_slug=workspace.slug, doc_id=doc_id, position=position)
    return f"{url}?{urlencode({'q': q[:MAX_QUERY_CHARS]})}" if q else url


@register.simple_tag(name="location")
def location_tag(page_start=None, page_end=None, heading_path=""):
    """`{% location hit.page_start hit.page_end hit.heading_path %}`: "p. 3 · Annual leave"."""
    section = (heading_path or "").rsplit("›", 1)[-1].strip()
    return location_label(page_start=page_start, page_end=page_end, section=section)
