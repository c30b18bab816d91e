"""Full-text search over a workspace's passages: the one reader of the search indexes.

`search_passages` is what the search page and the chat answering both call.
A query is reduced to plain words first (operators, quotes and punctuation
dropped, common English words ignored), so no user input can break the SQL or
the full-text syntax. A passage matches when it contains any of the words;
passages with more, and rarer, matching words rank higher.

SQLite: the FTS5 table `document_passages_fts` (porter stemming), ranked by bm25.
PostgreSQL: the GIN-indexed `search_vector` column ('english' stemming), ranked
by ts_rank_cd among capped candidates (CANDIDATES_PER_TERM). Both are created by
migration 0002.
"""

import re
import uuid
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from workspaces.models import Workspace

MAX_QUERY_TERMS = 24
MAX_TERM_LENGTH = 64
DEFAULT_LIMIT = 20
OPERATORS = {"and", "or", "not", "near"}
# PostgreSQL's 'english' stop words, so both databases ignore the same words.
ENGLISH_STOP_WORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being below between both
    but by can did do does doing don down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own s same she should so some such t than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS_TEXT.split())

SQLITE_QUERY = """
    SELECT p.id, p.position, p.text, d.id, d."docId", d.filename, -bm25(document_passages_fts) AS rank
    FROM document_passages_fts
    JOIN document_passages p ON p.id = document_passages_fts.rowid
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE document_passages_fts MATCH %s AND d."workspaceId" = %s
    ORDER BY rank DESC, p.id
    LIMIT %s
"""
# PostgreSQL ranks only candidates: for each search word, at most CANDIDATES_PER_TERM of
# the passages containing it. A rare word brings all its passages; a word found almost
# everywhere brings a sample, so a common word cannot make every search rank the whole
# workspace (7x faster for such queries at 200,000 passages; see docs/benchmarks.md).
CANDIDATES_PER_TERM = 2000
POSTGRESQL_CANDIDATES = """(
    SELECT c.id FROM document_passages c JOIN workspace_documents cd ON cd.id = c."documentId"
    WHERE c.search_vector @@ plainto_tsquery('english', %s) AND cd."workspaceId" = %s LIMIT %s
)"""
POSTGRESQL_QUERY = """
    SELECT p.id, p.position, p.text, d.id, d."docId", d.filename, ts_rank_cd(p.search_vector, query) AS rank
    FROM document_passages p
    JOIN workspace_documents d ON d.id = p."documentId"
    CROSS JOIN websearch_to_tsquery('english', %s) AS query
    WHERE p.id IN ({candidates}) AND p.search_vector @@ query AND d."workspaceId" = %s
    ORDER BY rank DESC, p.id
    LIMIT %s
"""


@dataclass(frozen=True)
class PassageHit:
    """One matching passage. `rank` is the database's own score (higher is better,
    comparable only within one search); `score` is rank / best rank, so the best hit is 1.0."""

    passage_id: int
    document_id: int
    doc_id: uuid.UUID
    filename: str
    position: int
    text: str
    rank: float
    score: float
    workspace_slug: str

    def get_absolute_url(self) -> str:
        """The passage on its document page (a redirect to the right page and anchor)."""
        return reverse(
            "workspaces:passage",
            kwargs={"slug": self.workspace_slug, "doc_id": self.doc_id, "position": self.position},
        )


def query_terms(query: str) -> list[str]:
    """The words of `query` that are searched for: lower-case, deduplicated, no operators or stop words."""
    terms = []
    for word in re.findall(r"[^\W_]+", (query or "").lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in OPERATORS and word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_QUERY_TERMS]


def search_passages(*, workspace: Workspace, query: str, limit: int = DEFAULT_LIMIT) -> list[PassageHit]:
    """The passages of `workspace`'s documents that best match `query`, best first, at most `limit`.

    Any text is a valid query; one with no searchable words (empty, only
    punctuation, operators or common words) returns no hits. One database query.
    """
    terms = query_terms(query)
    if not terms or limit < 1:
        return []
    if connection.vendor == "sqlite":
        sql, params = SQLITE_QUERY, [" OR ".join(f'"{term}"' for term in terms), workspace.pk, limit]
    elif connection.vendor == "postgresql":
        sql = POSTGRESQL_QUERY.format(candidates=" UNION ".join([POSTGRESQL_CANDIDATES] * len(terms)))
        candidate_params = [value for term in terms for value in (term, workspace.pk, CANDIDATES_PER_TERM)]
        params = [" or ".join(terms), *candidate_params, workspace.pk, limit]
    else:
        raise NotImplementedError(f"Passage search supports SQLite and PostgreSQL, not {connection.vendor}.")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    best = rows[0][6] if rows and rows[0][6] > 0 else 1.0
    return [
        PassageHit(
            passage_id=passage_id,
            document_id=document_id,
            doc_id=doc_id if isinstance(doc_id, uuid.UUID) else uuid.UUID(doc_id),
            filename=filename,
            position=position,
            text=text,
            rank=rank,
            score=round(rank / best, 4),
            workspace_slug=workspace.slug,
        )
        for passage_id, position, text, document_id, doc_id, filename, rank in rows
    ]


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
    prefixes = sorted({_rough_stem(term) for term in terms}, key=len, reverse=True)
    if not prefixes:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\w*", re.IGNORECASE)


def _rough_stem(term):
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def _excerpt(text, pattern, context_words):
    words = list(re.finditer(r"\S+", text))
    if len(words) <= context_words:
        return text
    first = next((i for i, word in enumerate(words) if pattern and pattern.search(word.group())), 0)
    start = max(0, first - context_words // 3)
    end = min(len(words), start + context_words)
    start = max(0, end - context_words)
    excerpt = text[words[start].start():words[end - 1].end()]
    return f"{'… ' if start > 0 else ''}{excerpt}{' …' if end < len(words) else ''}"
