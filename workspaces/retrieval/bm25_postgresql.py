"""BM25 on PostgreSQL, from the statistics migration 0011 maintains.

df per 'english' lexeme and workspace (`retrieval_term_stats`), passages and their total
length per workspace (`retrieval_workspace_stats`), each passage's length
(`search_length`); a word's frequency in a passage is read from its stored
`search_vector`. Candidates come from the GIN index (`search_vector @@ query`), only
those `bm25.rank` needs; each is scored for every word of the query.

A word's frequency in a passage, fast: `ts_rank` with every weight 1 over a one-word
query is Σ_{j ≤ tf} 1/j² / (π²/6), strictly increasing in tf, so `width_bucket` over the
midpoints of those values gives tf back (tsvector keeps 255 positions of a lexeme: a
word repeated more often in one passage counts 255 times). It is one C call per word
and passage, where unnesting the tsvector built a row per lexeme (0.27 ms a passage).
The values are those PostgreSQL computes in float32, reproduced here (`_rank_values`;
`test_a_word_repeated_in_a_passage_counts_every_time` checks them against the server).
"""

import numpy as np
from django.db import connection

from workspaces.retrieval.bm25_formula import K1, B, Statistics, idf

MAX_POSITIONS = 256  # above tsvector's cap (255 positions a lexeme)
ALL_WEIGHTS_ONE = "{1,1,1,1}"


def _rank_values() -> list[float]:
    """ts_rank('{1,1,1,1}', vector, 'word') for tf = 1..256, as PostgreSQL computes it (calc_rank_or)."""
    values, running = [], np.float32(0)
    for tf in range(1, MAX_POSITIONS + 1):
        running = np.float32(running + np.float32(np.float32(1.0) / np.float32(tf * tf)))
        values.append(float(np.float32(np.float64(np.float32(np.float32(1.0) + running) - np.float32(1.0))
                                       / 1.64493406685)))
    return values


RANK_VALUES = _rank_values()
# width_bucket(rank, TF_THRESHOLDS) = tf: below the first threshold (rank 0: the word is absent) 0.
TF_THRESHOLDS = [RANK_VALUES[0] / 2] + [
    (low + high) / 2 for low, high in zip(RANK_VALUES, RANK_VALUES[1:], strict=False)
]
# Written into the SQL once: as a parameter, its 256 numbers were adapted by psycopg for every
# word of every query (5 ms for a five-word question).
TF_THRESHOLDS_SQL = "'{" + ",".join(f"{value:.10g}" for value in TF_THRESHOLDS) + "}'::float8[]"

CANDIDATES = """
    SELECT p.id, p.search_length, p.search_vector
    FROM document_passages p JOIN workspace_documents d ON d.id = p."documentId"
    WHERE {where} AND d."workspaceId" = %(workspace)s AND d.status = 'ready'
"""
RANKED = """
    SELECT c.id, {score} AS score FROM ({candidates}) AS c, (SELECT {thresholds} AS thresholds) AS k
    ORDER BY score DESC, c.id LIMIT %(limit)s
"""
NEWEST = """
    SELECT id, score FROM (
        SELECT c.id, {score} AS score
        FROM ({candidates} ORDER BY p.id DESC LIMIT %(scanned)s) AS c, (SELECT {thresholds} AS thresholds) AS k
    ) AS newest
    ORDER BY score DESC, id LIMIT %(limit)s
"""
STATISTICS = """
    SELECT q.term, u.lexeme, coalesce(t.df, 0), s.passages, s."totalLength"
    FROM unnest(%s::text[]) WITH ORDINALITY AS q(term, n)
    LEFT JOIN LATERAL (SELECT lexeme FROM unnest(to_tsvector('english', q.term)) LIMIT 1) AS u ON true
    LEFT JOIN retrieval_term_stats t ON t."workspaceId" = %s AND t.term = u.lexeme
    LEFT JOIN retrieval_workspace_stats s ON s."workspaceId" = %s
    ORDER BY q.n
"""

def statistics(workspace, terms: list[str]) -> Statistics:
    """df of each term's lexeme among the workspace's passages; N and the average length."""
    with connection.cursor() as cursor:
        cursor.execute(STATISTICS, [list(terms), workspace.pk, workspace.pk])
        rows = cursor.fetchall()
    dfs, lexemes, passages, total = {}, {}, 0, 0
    for term, lexeme, df, workspace_passages, total_length in rows:
        if lexeme:
            lexemes[term] = lexeme
        dfs[term] = df if lexeme else 0
        passages, total = workspace_passages or 0, total_length or 0
    return Statistics(dfs, passages, (total / passages if passages else 0.0), lexemes)


def _score(count: int) -> str:
    """The BM25 sum over `count` words as one expression (no subquery: a few µs a passage).
    tf · (k1 + 1) / (tf + K) is written (k1 + 1) · (1 − K / (tf + K)) so that each word's
    tf, one ts_rank call, appears once; it is 0 when the word is absent."""
    norm = f"{K1}::float8 * ({1 - B}::float8 + {B}::float8 * c.search_length / %(average)s::float8)"
    terms = (
        f"%(idf_{n})s::float8 * {K1 + 1}::float8 * (1 - ({norm}) / ({_tf(n)} + {norm}))" for n in range(count)
    )
    return " + ".join(terms)


def _tf(n: int) -> str:
    """Word n's frequency in the passage, read back from ts_rank (see the module's docstring)."""
    return f"width_bucket(ts_rank('{ALL_WEIGHTS_ONE}', c.search_vector, %(query_{n})s::tsquery), k.thresholds)"


def _sql(template: str, count: int, where: str) -> str:
    return template.format(
        score=_score(count), candidates=CANDIDATES.replace("{where}", where), thresholds=TF_THRESHOLDS_SQL
    )


def _tsquery(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def _parameters(workspace, stats, terms, limit):
    """The scoring parameters for `terms` (each scored as its own word, as FTS5 scores phrases)."""
    terms = [term for term in terms if stats.dfs.get(term)]
    return terms, {
        "average": stats.average or 1.0,
        **{f"query_{n}": _tsquery(stats.lexemes[term]) for n, term in enumerate(terms)},
        **{f"idf_{n}": idf(passages=stats.passages, df=stats.dfs[term]) for n, term in enumerate(terms)},
        "workspace": workspace.pk,
        "limit": limit,
    }


def _any_of(stats, terms) -> str:
    return " | ".join(_tsquery(stats.lexemes[term]) for term in terms)


def _fetch(sql, parameters) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [(pid, float(score)) for pid, score in cursor.fetchall() if score is not None and score > 0]


def _in_documents(documents) -> str:
    """A filtered search's condition: only passages of the listed documents."""
    return "" if documents is None else " AND d.id = ANY(%(documents)s)"


def essential_scores(
    workspace, stats, essential: list[str], rest: list[str], limit: int, *, documents=None
) -> list[tuple[int, float]]:
    """The best `limit` of the workspace's passages holding one of `essential`, scored for all the words
    (only passages of `documents`, when given)."""
    terms, parameters = _parameters(workspace, stats, essential + rest, limit)
    essential = [term for term in essential if term in terms]
    if not essential:
        return []
    sql = _sql(RANKED, len(terms), "p.search_vector @@ %(match)s::tsquery" + _in_documents(documents))
    return _fetch(sql, {**parameters, "match": _any_of(stats, essential), "documents": documents})


def newest_scores(
    workspace, stats, terms: list[str], scanned: int, limit: int, *, documents=None
) -> list[tuple[int, float]]:
    """The best `limit` of the newest `scanned` passages holding any of `terms`."""
    terms, parameters = _parameters(workspace, stats, terms, limit)
    if not terms:
        return []
    sql = _sql(NEWEST, len(terms), "p.search_vector @@ %(match)s::tsquery" + _in_documents(documents))
    return _fetch(sql, {**parameters, "match": _any_of(stats, terms), "scanned": scanned, "documents": documents})


def scores_of(workspace, stats, terms: list[str], passage_ids: list[int]) -> list[tuple[int, float]]:
    """The BM25 score of each listed passage of the workspace holding any of `terms`, best first."""
    terms, parameters = _parameters(workspace, stats, terms, len(passage_ids))
    if not terms:
        return []
    sql = _sql(RANKED, len(terms), "p.id = ANY(%(ids)s) AND p.search_vector @@ %(match)s::tsquery")
    return _fetch(sql, {**parameters, "match": _any_of(stats, terms), "ids": list(passage_ids)})
