"""Markdown answers turned into HTML that is safe to put in a page.

Answers come from a language model or from document text, so they are
untrusted: Markdown passes raw HTML through, and nh3 then keeps only the tags
and link schemes listed here. Only the sanitised output is marked safe.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists")

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


def render_markdown(text: str) -> SafeString:
    """HTML for `text` read as Markdown, with anything unsafe removed.

    Relative and protocol-relative links are dropped too: an answer has no
    business pointing into this site or at a scheme we did not choose.
    """
    html = markdown.markdown(text or "", extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
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
