"""Search words marked in passage text, escaped for the page."""

import functools
import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

from workspaces.retrieval.query import phrase_pattern, stem


def highlight(
    text: str, terms: list[str], *, context_words: int | None = None, phrases: list[str] = ()
) -> SafeString:
    """`text` escaped, with the words that start like a search term wrapped in <mark>.

    A term matches the words that begin with its stem-ish prefix, so "reports"
    also marks "report" and "reporting". Each quoted phrase, where it occurs as
    written, is marked as one, and the excerpt centres on it first.
    With `context_words`, only that many words around the first match are kept
    (an excerpt for result lists).
    Every piece of the text goes through `escape`; only the <mark> tags are ours.
    """
    pattern = _highlight_pattern(tuple(terms), tuple(phrases))
    if context_words is not None and phrases:
        first_phrase = _highlight_pattern((), tuple(phrases))
        if first_phrase is not None and first_phrase.search(text):
            text = _excerpt(text, first_phrase, context_words)
            context_words = None
    if context_words is not None:
        text = _excerpt(text, pattern, context_words)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped here
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(f"{escape(text[last:match.start()])}<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of the text escaped above


@functools.lru_cache(maxsize=256)
def _highlight_pattern(terms: tuple[str, ...], phrases: tuple[str, ...] = ()) -> re.Pattern | None:
    """Phrases first (the longest match wins where a phrase starts), then the terms' prefixes."""
    prefixes = sorted({stem(term) for term in terms}, key=len, reverse=True)
    alternatives = [phrase_pattern(phrase).pattern for phrase in phrases]
    alternatives += [r"\b" + re.escape(prefix) + r"\w*" for prefix in prefixes]
    if not alternatives:
        return None
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives), re.IGNORECASE)


def _excerpt(text, pattern, context_words):
    total = len(text.split())
    if total <= context_words:
        return text
    found = pattern.search(text) if pattern else None
    first = 0
    if found:  # the word the first match falls in
        before = text[: found.start()]
        first = len(before.split()) - (1 if before and not before[-1].isspace() else 0)
    start = max(0, first - context_words // 3)
    end = min(total, start + context_words)
    start = max(0, end - context_words)
    excerpt = text[_word_start(text, start):_word_end(text, end - 1)]
    return f"{'… ' if start > 0 else ''}{excerpt}{' …' if end < total else ''}"


def _word_start(text: str, index: int) -> int:
    """Where the `index`-th white-space separated word of `text` starts (0-based)."""
    return re.match(rf"\s*(?:\S+\s+){{{index}}}", text).end()


def _word_end(text: str, index: int) -> int:
    """Where the `index`-th white-space separated word of `text` ends."""
    return re.match(rf"\s*(?:\S+\s+){{{index}}}\S+", text).end()
