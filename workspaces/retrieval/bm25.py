"""BM25 over a workspace's passages (k1 = 1.2, b = 0.75).

Where this host has the workspace's search index (`search_index.py`, nearly always), tantivy ranks
(`bm25_index.py`): statistics, ranking and the scores of listed passages all come from it. Else,
and when SEARCH_INDEX_DIR is empty, the database ranks, the same way on both databases:

score(p) = Σ idf(t) · tf(t, p) · (k1 + 1) / (tf(t, p) + k1 · (1 − b + b · len(p) / avglen))
idf(t)   = ln((N − df(t) + 0.5) / (df(t) + 0.5)), and 1e-6 where that is not positive

SQLite: FTS5's own `bm25()` (porter stemming; N, df and lengths over the whole FTS
table), see `bm25_sqlite.py`. PostgreSQL: the same formula from maintained statistics
(migration 0011: df per lexeme, N and total length per workspace), see
`bm25_postgresql.py`. No sampling, and ts_rank never ranks: PostgreSQL only reads a word's
exact frequency back from it (see there).

How a query is ranked without scoring every passage that holds one of its words
(`rank`, MaxScore, exact): words are taken rarest first. The passages holding one of
the "essential" words (at first: every word in at most RARE_SHARE of the passages,
at least the rarest) are scored for all the query's words; the other words are only
looked up in those passages. A passage holding none of the essential words scores at
most Σ idf · (k1 + 1) over the others; if that cannot beat the `limit`-th score found,
the ranking is complete, else the next rarest word becomes essential and the passages
are ranked again.

Words with an idf at the floor (in half the index or more, which in a large index
means they tell passages apart by almost nothing) are dropped from a query that has
other words. A query of only such words ranks the newest FLOOR_SCAN passages holding
them, not all of them: these words are "not scanned in full" because their scores are
all but zero (1e-6 · saturation), and the newest passages come first among near-equals.
"""

import math

from django.conf import settings
from django.db import connection

from workspaces.models import Workspace
from workspaces.retrieval import bm25_index, bm25_postgresql, bm25_sqlite
from workspaces.retrieval.bm25_formula import IDF_FLOOR, K1, Statistics, idf
from workspaces.retrieval.query import QUESTION_WORDS

# The first essential words: every word at most this common (most questions: one round).
RARE_SHARE = 0.02
LARGE_WORKSPACE = 10_000
FLOOR_SCAN = 2_000


def statistics(*, workspace: Workspace, terms: list[str]) -> Statistics:
    """The words' statistics from the index when this host has one (the ranking then reads the
    index too: `lexical_scores` given these ranks there), else from the database."""
    stats = bm25_index.statistics(workspace, terms) if settings.SEARCH_INDEX_DIR else None
    return stats if stats is not None else _backend().statistics(workspace, terms)


def _backend():
    """The module scoring on this database. Both offer the same four functions with the same
    arguments: statistics, essential_scores, newest_scores and scores_of (SQLite's ignore the
    `stats` some of them are given: FTS5's bm25() reads its own)."""
    if connection.vendor == "sqlite":
        return bm25_sqlite
    if connection.vendor == "postgresql":
        return bm25_postgresql
    raise NotImplementedError(f"Passage search supports SQLite and PostgreSQL, not {connection.vendor}.")


def lexical_scores(
    *, workspace: Workspace, terms: list[str], limit: int, passage_ids: list[int] | None = None,
    stats: Statistics | None = None, documents: list[int] | None = None,
) -> list[tuple[int, float]]:
    """(passage id, BM25 score) of the best `limit` passages containing any of `terms`, best first.
    With `passage_ids`, only those passages are scored (the hybrid ranker's vector candidates).
    `stats`: the words' statistics when the caller has them already. `documents`: only passages
    of these documents (a filtered search), the statistics staying those of the whole workspace."""
    if not terms or limit < 1 or passage_ids == [] or documents == []:
        return []
    if settings.SEARCH_INDEX_DIR and (stats is None or isinstance(stats, bm25_index.IndexStatistics)):
        rows = bm25_index.lexical_scores(workspace, terms, limit, passage_ids=passage_ids, documents=documents)
        if rows is not None:
            return rows
        stats = None  # the index went away since: the database ranks, with its own statistics
    backend = _backend()
    stats = stats or backend.statistics(workspace, terms)
    if passage_ids is not None:
        return backend.scores_of(workspace, stats, terms, list(passage_ids))[:limit]
    dfs, passages = stats.dfs, stats.passages
    terms = sorted((term for term in terms if dfs.get(term)), key=lambda term: dfs[term])
    if not terms:
        return []
    weights = {term: idf(passages=passages, df=dfs[term]) for term in terms}
    if passages >= LARGE_WORKSPACE:
        useful = [term for term in terms if weights[term] > IDF_FLOOR]
        if not useful:
            return backend.newest_scores(workspace, stats, terms, FLOOR_SCAN, limit, documents=documents)
        terms = useful
    return rank(backend, workspace, stats, terms, weights, limit, documents=documents)


def rank(backend, workspace, stats, terms, weights, limit, *, documents=None) -> list[tuple[int, float]]:
    """MaxScore over `terms` (rarest first): see the module's docstring."""
    if stats.passages < LARGE_WORKSPACE:  # few passages: every word at once, one query
        return backend.essential_scores(workspace, stats, terms, [], limit, documents=documents)
    essential = max(1, sum(1 for term in terms if stats.dfs[term] <= RARE_SHARE * stats.passages))
    while True:
        rows = backend.essential_scores(
            workspace, stats, terms[:essential], terms[essential:], limit, documents=documents
        )
        rest = terms[essential:]
        threshold = rows[limit - 1][1] if len(rows) >= limit else 0.0
        if not rest or sum(weights[term] * (K1 + 1) for term in rest) <= threshold:
            return rows
        essential += 1


def term_weights(*, workspace: Workspace, terms: list[str], stats: Statistics | None = None) -> dict[str, float]:
    """Each query term's weight in `workspace`: idf from the statistics BM25 ranks with, in the
    form that stays positive (ln(1 + (N − df + 0.5) / (df + 0.5))), so a word in half the passages
    still counts a little. A word no passage holds weighs the most: a question about something
    the documents never mention is not covered by a passage that shares its common words.
    Except a word that only phrases a question ("how many … do I get"): absent, it weighs
    as little as the lightest word present, for a small workspace that never says "get"
    is not off-topic for it."""
    if not terms:
        return {}
    stats = stats or _backend().statistics(workspace, terms)
    counts = {term: stats.dfs.get(term) or 0 for term in terms}
    weights = {term: math.log(1 + (stats.passages - df + 0.5) / (df + 0.5)) for term, df in counts.items()}
    lightest = min((weights[term] for term, df in counts.items() if df), default=None)
    if lightest is not None:
        weights.update({term: lightest for term, df in counts.items() if not df and term in QUESTION_WORDS})
    return weights
