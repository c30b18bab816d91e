"""Markdown answers turned into HTML that is safe to put in a page.

Answers come from a language model or from document text, so they are
untrusted: the parser (markdown-it-py, CommonMark and tables, as the Markdown
document reader uses) passes raw HTML and every link through, and nh3 then keeps only
the tags and link schemes listed here. Only the sanitised output is marked safe.
"""

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markdown_it import MarkdownIt

from workspaces.chats.answer import CITATION

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Dropped together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})


def _parser() -> MarkdownIt:
    """One parser for every answer and thread (each render keeps its state apart). Links are
    all let through here so that nh3 alone decides which schemes stay, as with raw HTML."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True
    return parser


_PARSER = _parser()


def render_markdown(text: str) -> SafeString:
    """HTML for `text` read as Markdown, with anything unsafe removed.

    Relative and protocol-relative links are dropped too: an answer has no
    business pointing into this site or at a scheme we did not choose.
    """
    html = _PARSER.render(text or "").rstrip("\n")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - the output of nh3.clean, never the input


TAG = re.compile(r"(<[^>]*>)")


def link_citations(html: SafeString, chips: list[tuple[str, str]]) -> SafeString:
    """`[n]` in the text of sanitised `html` as a chip for source n: `chips[n-1]` is
    (link to the passage or "" when its document is gone, address of the passage popover).
    Numbers with no source stay as typed; tags and their attributes are left alone."""

    def chip(match):
        number = int(match.group(1))
        if not 1 <= number <= len(chips):
            return match.group(0)
        href, popover = chips[number - 1]
        label = f'<span class="visually-hidden">{escape(gettext("source"))} </span>{number}'
        if href:
            return (f'<a class="cite" href="{escape(href)}" data-popover="{escape(popover)}">{label}</a>')
        return f'<span class="cite cite-gone" title="{escape(gettext("document deleted"))}">{label}</span>'

    parts = TAG.split(str(html))
    linked = "".join(part if part.startswith("<") else CITATION.sub(chip, part) for part in parts)
    return mark_safe(linked)  # noqa: S308 - sanitised HTML plus chips built from escaped values


def stored_answers_render(chats, *, batch: int = 500) -> None:
    """Render the Markdown of the finished answers in `chats` (a queryset of WorkspaceChat, or of its
    migration state) and store it in `text_html`, a batch at a time: what the answers' own
    ending stores, for rows that lack it (migration 0023) or whose copy may not be ours (a restore)."""
    from workspaces.chats.answer import StoredAnswer

    pending = chats.exclude(state="answering").order_by("pk")
    last = 0
    while True:
        rows = list(pending.filter(pk__gt=last).only("pk", "response")[:batch])
        if not rows:
            return
        for chat in rows:
            chat.text_html = render_markdown(StoredAnswer.from_json(chat.response).text)
        chats.model.objects.bulk_update(rows, ["text_html"])
        last = rows[-1].pk
