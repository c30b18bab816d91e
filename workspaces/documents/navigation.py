"""Moving through a long document on its page: an outline from its headings, a jump to a
page of a PDF, and find-in-document.

All three work from the reading page's parts (`reading.reading_ranges`: which passages
each part of the page shows), so every link lands on the right part at the right anchor:
`#p<position>` for a passage, `#page-<n>` for the mark a PDF's page starts with.
"""

import bisect
from dataclasses import dataclass

from django.utils.http import urlencode
from django.utils.safestring import SafeString

from accounts.base import DocentError
from workspaces.documents.locations import location_label
from workspaces.documents.passages import HEADING_PATH_SEPARATOR
from workspaces.documents.reading import ranges_of
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_terms, stem, word_start

MAX_OUTLINE_ENTRIES = 400
MAX_OUTLINE_DEPTH = 3
FOUND_PER_PAGE = 20
FOUND_EXCERPT_WORDS = 24
PAGE_OUT_OF_RANGE = "Enter a page number from 1 to {count}."
NOT_PAGINATED = "This document has no pages to go to: it is not a PDF."
NOTHING_TO_FIND = "Type a word to find (common words such as “the” are not searched)."


class NavigationRefused(DocentError):
    """A page number or a search the document page cannot follow; `message` says why."""


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    level: int  # 0: an outermost heading
    href: str
    page: int | None


@dataclass(frozen=True)
class Found:
    position: int
    href: str
    location: str
    excerpt: SafeString


@dataclass(frozen=True)
class FindResult:
    query: str
    total: int
    shown: list[Found]  # this page of the results
    terms: list[str]
    number: int = 1  # the page of results shown, of `pages`
    pages: int = 1
    first: int = 1  # the number of the first result shown

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def part_of(ranges: list[tuple[int, int]], position: int) -> int:
    """The reading page's part (1-based) that shows passage `position`."""
    return max(1, bisect.bisect_right([first for first, _last in ranges], position))


def _href(ranges, position: int, anchor: str, **params) -> str:
    return f"?{urlencode({'page': part_of(ranges, position), **params})}#{anchor}"


def document_map(document) -> tuple[list[tuple[int, int]], list[OutlineEntry]]:
    """The parts of the reading page (`reading.ranges_of`) and the document's outline, from one query."""
    rows = list(document.passages.order_by("position").values_list("position", "word_count", "heading_path",
                                                                     "page_start"))
    ranges = ranges_of((position, words) for position, words, _path, _page in rows)
    return ranges, outline_of([(position, path, page) for position, _words, path, page in rows], ranges)


def outline_of(rows, ranges: list[tuple[int, int]]) -> list[OutlineEntry]:
    """The headings of (position, heading path, first page) rows in reading order, up to
    MAX_OUTLINE_DEPTH levels deep, each linking to the passage it opens (a heading starts a passage)."""
    entries: list[OutlineEntry] = []
    previous: list[str] = []
    for position, heading_path, page in rows:
        path = heading_path.split(HEADING_PATH_SEPARATOR) if heading_path else []
        shared = 0
        while shared < min(len(path), len(previous)) and path[shared] == previous[shared]:
            shared += 1
        for level in range(shared, min(len(path), MAX_OUTLINE_DEPTH)):
            entries.append(OutlineEntry(path[level], level, _href(ranges, position, f"p{position}"), page))
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                return entries
        previous = path
    return entries


def page_jump(document, ranges: list[tuple[int, int]], raw_number: str) -> str:
    """The address (query and anchor) of page `raw_number` of a PDF on the reading page; raises
    NavigationRefused for a document without pages or a number out of its range. One query."""
    count = (document.metadata or {}).get("page_count")
    if not isinstance(count, int) or count < 1:
        raise NavigationRefused(NOT_PAGINATED)
    try:
        number = int(str(raw_number).strip())
    except ValueError:
        raise NavigationRefused(PAGE_OUT_OF_RANGE.format(count=count)) from None
    if not 1 <= number <= count:
        raise NavigationRefused(PAGE_OUT_OF_RANGE.format(count=count))
    passages = document.passages.filter(page_end__gte=number).order_by("position")
    position = passages.values_list("position", flat=True).first()
    if position is None:  # the last pages hold no text: the end of the document
        position = ranges[-1][1] if ranges else 1
        return _href(ranges, position, f"p{position}")
    return _href(ranges, position, f"page-{number}")


def find_in_document(document, ranges: list[tuple[int, int]], query: str, *, results_page=1) -> FindResult:
    """The passages of the document holding every word of `query` (each as a word start, so
    "leave" finds "leaves"), in reading order: how many, and page `results_page` of them
    (FOUND_PER_PAGE a page; a page out of range shows the nearest one), each with an excerpt and
    a link that opens it with the words marked. One query."""
    query = " ".join((query or "").split())[:MAX_QUERY_CHARS]
    terms = query_terms(query)
    if not terms:
        raise NavigationRefused(NOTHING_TO_FIND)
    candidates = document.passages.order_by("position")
    for term in terms:
        candidates = candidates.filter(text__icontains=stem(term))
    patterns = [word_start(stem(term)) for term in terms]
    rows = candidates.values_list("position", "text", "page_start", "page_end", "heading_path")
    matches = [row for row in rows.iterator() if all(pattern.search(row[1].lower()) for pattern in patterns)]
    pages = max(1, -(-len(matches) // FOUND_PER_PAGE))
    try:
        number = min(max(int(results_page), 1), pages)
    except (TypeError, ValueError):
        number = 1
    first = (number - 1) * FOUND_PER_PAGE
    shown = [
        Found(
            position=position,
            href=_href(ranges, position, f"p{position}", find=query, **({"found": number} if number > 1 else {})),
            location=location_label(page_start=page_start, page_end=page_end,
                                    section=heading_path.rsplit(HEADING_PATH_SEPARATOR, 1)[-1].strip()),
            excerpt=highlight(text, terms, context_words=FOUND_EXCERPT_WORDS),
        )
        for position, text, page_start, page_end, heading_path in matches[first:first + FOUND_PER_PAGE]
    ]
    return FindResult(query=query, total=len(matches), shown=shown, terms=terms, number=number, pages=pages,
                      first=first + 1)
