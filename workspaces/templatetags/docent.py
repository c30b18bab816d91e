from django import template
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import WORKSPACE_ROLE_IN_TEXT
from workspaces.chats.rendering import link_citations, render_markdown
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
    passage; with `q`, the passage opens with those words marked."""
    url = passage_url(workspace_slug=workspace.slug, doc_id=doc_id, position=position)
    return f"{url}?{urlencode({'q': q[:MAX_QUERY_CHARS]})}" if q else url


@register.simple_tag(name="location")
def location_tag(page_start=None, page_end=None, heading_path=""):
    """`{% location hit.page_start hit.page_end hit.heading_path %}`: "p. 3 · Annual leave"."""
    section = (heading_path or "").rsplit("›", 1)[-1].strip()
    return location_label(page_start=page_start, page_end=page_end, section=section)


@register.simple_tag(name="cited_sources")
def cited_sources_tag(chat, workspace, live_doc_ids):
    """`{% cited_sources chat workspace live_doc_ids as cited %}`: each source of the answer with its
    links, worked out once for the answer's chips and its list of sources: `href` (the passage,
    its words marked; "" when the document is gone) and `popover` (the source's card)."""
    cited = []
    for number, source in enumerate(chat.answer.sources, start=1):
        href = ""
        if source.doc_id in live_doc_ids:
            href = passage_url_tag(workspace, source.doc_id, source.position, q=chat.prompt)
        popover = reverse("workspaces:chat_source", kwargs={"slug": workspace.slug, "pk": chat.pk, "number": number})
        cited.append({"number": number, "source": source, "href": href, "popover": popover})
    return cited


@register.simple_tag(name="answer_html")
def answer_html_tag(chat, cited):
    """`{% answer_html chat cited %}`: the answer as sanitised HTML with each [n] a chip that opens
    source n (a link to the passage without JavaScript); `cited` from `cited_sources`."""
    return link_citations(render_markdown(chat.answer.text), [(item["href"], item["popover"]) for item in cited])


@register.simple_tag(name="row_value")
def row_value_tag(row, key):
    """`{% row_value row "user__username" %}`: a value of an aggregate row, "—" when empty (a deleted user)."""
    value = row.get(key)
    return "—" if value in (None, "") else value
