"""Search words marked in passage text, escaped for the page."""

import bisect
import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from workspaces.retrieval.query import stem


def highlight(text: str, terms: list[str], *, context_words: int | None = None) -> SafeString:
    """`text` escaped, with the words that start like a search term wrapped in <mark>.

    A term matches the words that begin with its stem-ish prefix, so "reports"
    also marks "report" and "reporting". With `context_words`, only that many
    words around the first match are kept (an excerpt for result lists).
    """
    pattern = _highlight_pattern(terms)
    if context_words is not None:
        text = _excerpt(text, pattern, context_words)
    if pattern is None:
        return format_html("{}", text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(format_html("{}<mark>{}</mark>", text[last:match.start()], match.group()))
        last = match.end()
    pieces.append(format_html("{}", text[last:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _highlight_pattern(terms):
    prefixes = sorted({stem(term) for term in terms}, key=len, reverse=True)
    if not prefixes:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\w*", re.IGNORECASE)


def _excerpt(text, pattern, context_words):
    words = [match.span() for match in re.finditer(r"\S+", text)]
    if len(words) <= context_words:
        return text
    found = pattern.search(text) if pattern else None
    # The word the first match falls in (the last word starting at or before it).
    first = bisect.bisect_right(words, (found.start(), len(text))) - 1 if found else 0
    start = max(0, first - context_words // 3)
    end = min(len(words), start + context_words)
    start = max(0, end - context_words)
    excerpt = text[words[start][0]:words[end - 1][1]]
    return f"{'… ' if start > 0 else ''}{excerpt}{' …' if end < len(words) else ''}"
