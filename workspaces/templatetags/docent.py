from django import template
from django.utils.http import urlencode

from accounts.roles import WORKSPACE_ROLE_IN_TEXT
from workspaces.chats import citations
from workspaces.chats.rendering import render_markdown
from workspaces.documents.locations import location_label
from workspaces.documents.models import passage_url
from workspaces.retrieval.query import MAX_QUERY_CHARS

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """`{{ chat.answer.text|markdown }}`: the value as sanitised HTML (see workspaces.chats.rendering)."""
    return render_markdown("" if value is None else str(value))


@register.filter(name="role_in_text")
def role_in_text_filter(value):
    """`{{ invite.role|role_in_text }}`: a workspace role inside a sentence, in the reader's language."""
    return WORKSPACE_ROLE_IN_TEXT.get(value, value)


@register.simple_tag(name="passage_url")
def passage_url_tag(workspace, doc_id, position, q=""):
    """`{% passage_url workspace source.doc_id source.position q=chat.prompt %}`: the one address of a
    passage; with `q`, the passage opens with those words marked. `workspace` may be given by its slug."""
    slug = workspace if isinstance(workspace, str) else workspace.slug
    url = passage_url(workspace_slug=slug, doc_id=doc_id, position=position)
    return f"{url}?{urlencode({'q': q[:MAX_QUERY_CHARS]})}" if q else url


@register.simple_tag(name="location")
def location_tag(page_start=None, page_end=None, heading_path=""):
    """`{% location hit.page_start hit.page_end hit.heading_path %}`: "p. 3 · Annual leave"."""
    section = (heading_path or "").rsplit("›", 1)[-1].strip()
    return location_label(page_start=page_start, page_end=page_end, section=section)


@register.simple_tag(name="cited_sources")
def cited_sources_tag(chat, workspace, live_doc_ids):
    """`{% cited_sources chat workspace live_doc_ids as cited %}`: each source of the answer with its
    links (see workspaces.chats.citations)."""
    return citations.cited_sources(chat, workspace, live_doc_ids)


@register.simple_tag(name="answer_html")
def answer_html_tag(chat, cited):
    """`{% answer_html chat cited %}`: the answer as sanitised HTML with each [n] a chip that opens
    source n (a link to the passage without JavaScript); `cited` from `cited_sources`."""
    return citations.stored_answer_html(chat, cited)


@register.filter(name="uncited")
def uncited_filter(cited):
    """`{% with uncited=cited|uncited %}`: the sources the answer's text does not cite."""
    return [item for item in cited if not item.cited]


@register.simple_tag(name="answer_copy_text")
def answer_copy_text_tag(chat):
    """`{% answer_copy_text chat %}`: the answer and its cited sources as plain text."""
    return citations.answer_copy_text(chat)


@register.simple_tag(name="row_value")
def row_value_tag(row, key):
    """`{% row_value row "user__username" %}`: a value of an aggregate row, "—" when empty (a deleted user)."""
    value = row.get(key)
    return "—" if value in (None, "") else value


@register.filter(name="unquoted")
def unquoted_filter(query):
    """A query that is one quoted phrase without its own quotes, for a page that puts it in quotes
    (“annual leave”, not “"annual leave"”); any other query as typed."""
    query = str(query)
    if len(query) > 2 and query[0] == query[-1] == '"' and '"' not in query[1:-1]:
        return query[1:-1]
    return query
