"""Full-text search over a workspace's passages: the one reader of the search indexes.

`search_passages` is what the search page and the chat answering both call.
A query is reduced to plain words first (operators, quotes and punctuation
dropped, common English words ignored), so no user input can break the SQL or
the full-text syntax. A passage matches when it contains any of the words
(and every "quoted phrase"); passages with more, and rarer, matching words rank
higher. The index covers each passage's heading path as well as its text.

SQLite: the FTS5 table `document_passages_fts` (porter stemming), ranked by bm25.
PostgreSQL: the GIN-indexed `search_vector` column ('english' stemming), ranked
by ts_rank_cd among capped candidates (CANDIDATES_PER_TERM), divided by 1 + the
log of the passage's length (normalisation 1: passages that follow paragraphs
differ in length, and a longer one should not win for being long). Both are
created by migration 0002 and rebuilt over heading path and text by 0010.
"""

import uuid
from dataclasses import dataclass

from django.db import connection

from workspaces.documents.models import passage_url
from workspaces.models import Workspace
from workspaces.retrieval.query import query_phrases, query_terms

DEFAULT_LIMIT = 20

SQLITE_QUERY = """
    SELECT p.id, p.position, p.text, d.id, d."docId", d.filename, -bm25(document_passages_fts) AS rank,
        p.heading_path, p.page_start, p.page_end
    FROM document_passages_fts
    JOIN document_passages p ON p.id = document_passages_fts.rowid
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE document_passages_fts MATCH %s AND d."workspaceId" = %s AND d.status = 'ready'
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
    SELECT p.id, p.position, p.text, d.id, d."docId", d.filename, ts_rank_cd(p.search_vector, query, 1) AS rank,
        p.heading_path, p.page_start, p.page_end
    FROM document_passages p
    JOIN workspace_documents d ON d.id = p."documentId"
    CROSS JOIN websearch_to_tsquery('english', %s) AS query
    WHERE p.id IN ({candidates}) AND p.search_vector @@ query AND d."workspaceId" = %s AND d.status = 'ready'{phrases}
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
    heading_path: str = ""
    page_start: int | None = None
    page_end: int | None = None

    def get_absolute_url(self) -> str:
        """The passage on its document page (a redirect to the right page and anchor)."""
        return passage_url(workspace_slug=self.workspace_slug, doc_id=self.doc_id, position=self.position)

    @property
    def section(self) -> str:
        return self.heading_path.rsplit("›", 1)[-1].strip()


def search_passages(*, workspace: Workspace, query: str, limit: int = DEFAULT_LIMIT) -> list[PassageHit]:
    """The passages of `workspace`'s documents that best match `query`, best first, at most `limit`.

    Any text is a valid query; one with no searchable words (empty, only
    punctuation, operators or common words) returns no hits. One database query.
    """
    terms = query_terms(query)
    phrases = query_phrases(query)
    if not terms or limit < 1:
        return []
    if connection.vendor == "sqlite":
        match = " OR ".join(f'"{term}"' for term in terms)
        if phrases:  # every quoted phrase must occur; all the words still rank
            match = " AND ".join([*(f'"{phrase}"' for phrase in phrases), f"({match})"])
        sql, params = SQLITE_QUERY, [match, workspace.pk, limit]
    elif connection.vendor == "postgresql":
        sql = POSTGRESQL_QUERY.format(
            candidates=" UNION ".join([POSTGRESQL_CANDIDATES] * len(terms)),
            phrases=" AND p.search_vector @@ phraseto_tsquery('english', %s)" * len(phrases),
        )
        candidate_params = [value for term in terms for value in (term, workspace.pk, CANDIDATES_PER_TERM)]
        params = [" or ".join(terms), *candidate_params, workspace.pk, *phrases, limit]
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
            heading_path=heading_path or "",
            page_start=page_start,
            page_end=page_end,
        )
        for passage_id, position, text, document_id, doc_id, filename, rank, heading_path, page_start, page_end in rows
    ]
