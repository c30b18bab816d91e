"""Passage search over a workspace: the one reader of the search indexes.

`search_passages` is what the search page and the chat answering both call.
A query is reduced to plain words first (operators, quotes and punctuation
dropped, common English words ignored), so no user input can break the SQL or
the full-text syntax. The index covers each passage's heading path as well as
its text; every "quoted phrase" of the query must occur as written in a hit's text
(or in its heading path alone, never across the two). `filters` limit a search to
some documents (`filters.py`).

Lexical ranking is BM25 on both databases (`bm25.py`). When an embedding
provider is configured (`embedding_provider`) and the workspace's
`semantic_weight` is above 0, the query is also embedded and the nearest passage
vectors of that model found (`vectors.py`); both candidate lists are merged, each
score min-max normalised over the merged list, and blended:
(1 − weight) · BM25 + weight · cosine. A provider that fails leaves the search
lexical, never an error.

With a reranker configured (`rerank_provider`, `rerank.py`), at least `rerank_candidates` hits are
ranked so and the reranker orders those again; the order changes, not `relevance`.

Each hit also carries `relevance`, an absolute 0–1 figure (the idf-weighted share
of the question's words in the passage, blended the same way with the cosine,
where a cosine of COSINE_FULL or more counts as fully relevant: a question and
the passage answering it seldom reach 0.8 with sentence models such as MiniLM,
their lengths being so different), which the workspace's threshold is compared
with: normalised scores say which passage is best, not whether any passage answers.
On `make eval` (docs/benchmarks.md) the cap moved hybrid recall@4 from 0.953 to
0.961 and no article lower, at the cost of 94 % off-topic questions refused
instead of 96.5 % (lexical alone: 70 %).
"""

import functools
import uuid
from dataclasses import dataclass

from django.db import connections, router

from workspaces.documents.models import DocumentPassage, WorkspaceDocument, passage_url
from workspaces.models import Workspace
from workspaces.retrieval.bm25 import lexical_scores, statistics, term_weights
from workspaces.retrieval.filters import SearchFilters, filtered_document_ids
from workspaces.retrieval.query import phrase_pattern, query_phrases, query_terms, weighted_coverage
from workspaces.retrieval.rerank import rerank_pool, reranked
from workspaces.retrieval.semantic import current_embedder, nearest_passages_started
from workspaces.retrieval.vectors import similarities

DEFAULT_LIMIT = 20
# Each retriever brings at least this many candidates to the blend.
HYBRID_CANDIDATES = 40
# With quoted phrases, this many times the candidates are ranked, then kept only where every phrase occurs.
PHRASE_CANDIDATE_FACTOR = 10
# A question–passage cosine at or above this counts as fully relevant (see the module's docstring).
COSINE_FULL = 0.8


@dataclass(frozen=True)
class PassageHit:
    """One passage found. `rank` is the blended (or BM25) score, comparable only within one
    search; `score` is rank / best rank, so the best hit is 1.0; `relevance` is absolute (0–1)."""

    passage_id: int
    document_id: int
    doc_id: uuid.UUID
    filename: str
    position: int
    text: str
    rank: float
    score: float
    workspace_slug: str
    relevance: float = 0.0
    lexical: float = 0.0
    semantic: float | None = None
    heading_path: str = ""
    page_start: int | None = None
    page_end: int | None = None

    def get_absolute_url(self) -> str:
        """The passage on its document page (a redirect to the right page and anchor)."""
        return passage_url(workspace_slug=self.workspace_slug, doc_id=self.doc_id, position=self.position)

    @property
    def section(self) -> str:
        return self.heading_path.rsplit("›", 1)[-1].strip()


def search_passages(
    *, workspace: Workspace, query: str, limit: int = DEFAULT_LIMIT, filters: SearchFilters | None = None
) -> list[PassageHit]:
    """The passages of `workspace`'s documents that best match `query`, best first, at most `limit`;
    with `filters`, only passages of the documents they keep.

    Any text is a valid query; one with no searchable words (empty, only
    punctuation, operators or common words) returns no hits.
    """
    terms = query_terms(query)
    phrases = query_phrases(query)
    if not terms or limit < 1:
        return []
    documents = filtered_document_ids(workspace_ids=[workspace.pk], filters=filters)
    if documents == []:
        return []
    wanted, limit = limit, limit * PHRASE_CANDIDATE_FACTOR if phrases else limit
    limit = max(limit, rerank_pool())
    weight = workspace.semantic_weight
    embedder = current_embedder() if weight > 0 else None
    pool = max(limit, HYBRID_CANDIDATES) if embedder is not None else limit
    if embedder is not None:  # the query's nearest passages are found while the words are ranked
        semantic_result = nearest_passages_started(embedder, query, terms, workspace, pool)
    stats = statistics(workspace=workspace, terms=terms)
    lexical = dict(lexical_scores(workspace=workspace, terms=terms, limit=pool, stats=stats, documents=documents))
    vector, semantic, semantic_bm25 = semantic_result() if embedder is not None else (None, {}, None)
    if documents is not None and semantic:
        semantic, semantic_bm25 = _within(documents, semantic, semantic_bm25)
    if not semantic:
        blended = dict(lexical)
        weight = 0.0
    else:
        if semantic_bm25 is None:  # found inline: score the passages the lexical ranking missed
            missing = [pid for pid in semantic if pid not in lexical]
            semantic_bm25 = dict(lexical_scores(
                workspace=workspace, terms=terms, limit=len(missing), passage_ids=missing, stats=stats
            ))
        for pid, score in semantic_bm25.items():
            lexical.setdefault(pid, score)
        semantic.update(similarities(
            model=embedder.name, vector=vector, passage_ids=[pid for pid in lexical if pid not in semantic]
        ))
        blended = blend(lexical, semantic, weight=weight)
    best_ids = sorted(blended, key=lambda pid: (-blended[pid], pid))[:limit]
    weights = term_weights(workspace=workspace, terms=terms, stats=stats)
    hits = _hits(workspace, best_ids, blended, lexical, semantic, weight, weights)
    if phrases:  # as written in the text, or in the heading path on its own: never across the two
        patterns = [phrase_pattern(phrase) for phrase in phrases]
        hits = [hit for hit in hits if all(p.search(hit.text) or p.search(hit.heading_path) for p in patterns)]
    order = reranked(query, [hit.passage_id for hit in hits], {hit.passage_id: hit.text for hit in hits})
    if order is not None:
        by_id = {hit.passage_id: hit for hit in hits}
        hits = [by_id[pid] for pid in order]
    return hits[:wanted]


def _hit_rows(ids: list[int]) -> list[tuple]:
    """(pk, position, text, document id, doc_id, filename, heading_path, page_start, page_end, workspace
    id) of the passages `ids`, in no order: `DocumentPassage.objects.filter(pk__in=ids).values_list(…)`
    written out in SQL once per process (issue 30: Django compiled the 150 ids of a search page's hits
    in 1.3 ms, three times what the database took)."""
    using = router.db_for_read(DocumentPassage)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_hit_rows_sql(using, "= ANY(%s)"), [list(ids)])
        else:
            cursor.execute(_hit_rows_sql(using, f"IN ({', '.join(['%s'] * len(ids))})"), list(ids))
        return cursor.fetchall()


@functools.lru_cache(maxsize=64)
def _hit_rows_sql(using: str, ids_in: str) -> str:
    quote = connections[using].ops.quote_name
    passage = {name: quote(DocumentPassage._meta.get_field(name).column) for name in (
        "id", "position", "text", "document", "heading_path", "page_start", "page_end")}
    document = {name: quote(WorkspaceDocument._meta.get_field(name).column) for name in (
        "id", "doc_id", "filename", "workspace")}
    # The models' own table and column names; every value is a parameter.
    return (
        f"SELECT p.{passage['id']}, p.{passage['position']}, p.{passage['text']}, p.{passage['document']}, "  # noqa: S608
        f"d.{document['doc_id']}, d.{document['filename']}, p.{passage['heading_path']}, "
        f"p.{passage['page_start']}, p.{passage['page_end']}, d.{document['workspace']} "
        f"FROM {quote(DocumentPassage._meta.db_table)} p JOIN {quote(WorkspaceDocument._meta.db_table)} d "
        f"ON d.{document['id']} = p.{passage['document']} WHERE p.{passage['id']} {ids_in}"
    )


def _within(documents, semantic, semantic_bm25):
    """The vector candidates of a filtered search that lie in its documents."""
    kept = set(DocumentPassage.objects.filter(pk__in=list(semantic), document_id__in=documents).values_list(
        "pk", flat=True
    ))
    semantic = {pid: score for pid, score in semantic.items() if pid in kept}
    if semantic_bm25 is not None:
        semantic_bm25 = {pid: score for pid, score in semantic_bm25.items() if pid in kept}
    return semantic, semantic_bm25


def blend(lexical: dict[int, float], semantic: dict[int, float], *, weight: float) -> dict[int, float]:
    """(1 − weight) · min-max(lexical) + weight · min-max(semantic) over the union of candidates;
    a candidate one retriever did not score gets that retriever's lowest score."""
    ids = set(lexical) | set(semantic)
    lex = _min_max({pid: lexical.get(pid, 0.0) for pid in ids})
    low = min(semantic.values()) if semantic else 0.0
    sem = _min_max({pid: semantic.get(pid, low) for pid in ids})
    return {pid: (1 - weight) * lex[pid] + weight * sem[pid] for pid in ids}


def _min_max(scores):
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low <= 1e-12:
        return dict.fromkeys(scores, 1.0 if high > 0 else 0.0)
    return {pid: (value - low) / (high - low) for pid, value in scores.items()}


def _hits(workspace, ids, blended, lexical, semantic, weight, weights):
    if not ids:
        return []
    # `ids` come from searches already limited to the workspace: looked up by primary key only
    # (a workspace filter here made SQLite walk the workspace's documents: 37 ms at 200,000 passages),
    # and checked here, in Python: never another workspace's passage.
    rows = {row[0]: row for row in _hit_rows(ids) if row[-1] == workspace.pk}
    ids = [pid for pid in ids if pid in rows]
    best = blended[ids[0]] if ids and blended[ids[0]] > 0 else 1.0
    hits = []
    for pid in ids:
        _, position, text, document_id, doc_id, filename, heading_path, page_start, page_end, _ = rows[pid]
        cosine = semantic.get(pid)
        similarity = min(1.0, max(cosine or 0.0, 0.0) / COSINE_FULL)
        relevance = (1 - weight) * weighted_coverage(weights, text) + weight * similarity
        hits.append(PassageHit(
            passage_id=pid, document_id=document_id,
            doc_id=doc_id if isinstance(doc_id, uuid.UUID) else uuid.UUID(doc_id),
            filename=filename, position=position, text=text, rank=blended[pid],
            score=round(blended[pid] / best, 4), workspace_slug=workspace.slug,
            relevance=round(relevance, 4), lexical=lexical.get(pid, 0.0), semantic=cosine,
            heading_path=heading_path or "", page_start=page_start, page_end=page_end,
        ))
    return hits
