"""BM25 over a workspace's passages, the same ranking on both databases (k1 = 1.2, b = 0.75).

score(p) = Σ idf(t) · tf(t, p) · (k1 + 1) / (tf(t, p) + k1 · (1 − b + b · len(p) / avglen))
idf(t)   = ln((N − df(t) + 0.5) / (df(t) + 0.5)), and 1e-6 where that is not positive

SQLite: FTS5's own `bm25()` (porter stemming; N, df and lengths over the whole FTS table),
over the query's words that the index holds (looked up in its vocabulary first).
PostgreSQL: the same formula from maintained statistics (migration 0007): the
'english' lexemes of the stored `search_vector` give tf, `search_length` the
passage length, `retrieval_term_stats` / `retrieval_workspace_stats` df, N and
the average length per workspace. No ts_rank, no sampling: candidates are found
rarest term first and a more common term is scanned only while its best possible
contribution could still change the top `limit` (MaxScore pruning, exact). In a
workspace of LARGE_WORKSPACE passages or more, terms in half of it or more (idf
clamped to 1e-6) are not scanned unless they are all the query has: the passages
only they would bring score ~0 and would come last anyway.
"""

import math

from django.db import connection

from workspaces.models import Workspace

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6
# First pass: every term at most this common is scanned at once (one query for most questions).
RARE_SHARE = 0.02
LARGE_WORKSPACE = 10_000

SQLITE_SCORES = """
    SELECT p.id, -bm25(document_passages_fts) AS score
    FROM document_passages_fts
    JOIN document_passages p ON p.id = document_passages_fts.rowid
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE document_passages_fts MATCH %s AND d."workspaceId" = %s AND d.status = 'ready' {only}
    ORDER BY score DESC, p.id
    LIMIT %s
"""
SQLITE_HEAD_FACTOR = 4
SQLITE_HEAD_MIN = 200
SQLITE_HEAD_COUNT = """
    SELECT count(*) FROM (SELECT rowid FROM document_passages_fts WHERE document_passages_fts MATCH %s LIMIT %s)
"""
SQLITE_HEAD = """
    SELECT p.id, h.score FROM (
        SELECT rowid AS id, -bm25(document_passages_fts) AS score FROM document_passages_fts
        WHERE document_passages_fts MATCH %s ORDER BY score DESC, rowid LIMIT %s
    ) AS h
    JOIN document_passages p ON p.id = h.id
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE d."workspaceId" = %s AND d.status = 'ready'
    ORDER BY h.score DESC, p.id
    LIMIT %s
"""
POSTGRESQL_TERMS = """
    SELECT lex.lexeme, coalesce(t.df, 0),
        (SELECT passages FROM retrieval_workspace_stats WHERE "workspaceId" = %s),
        (SELECT "totalLength" FROM retrieval_workspace_stats WHERE "workspaceId" = %s)
    FROM (SELECT DISTINCT u.lexeme FROM unnest(to_tsvector('english', %s)) AS u) AS lex
    LEFT JOIN retrieval_term_stats t ON t."workspaceId" = %s AND t.term = lex.lexeme
"""
POSTGRESQL_SCORES = """
    SELECT c.id, sum(q.idf * m.tf * {k1plus1} / (m.tf + {k1} * (1 - {b} + {b} * c.search_length / %s))) AS score
    FROM (
        SELECT p.id, p.search_length, p.search_vector
        FROM document_passages p JOIN workspace_documents d ON d.id = p."documentId"
        WHERE {where} AND d."workspaceId" = %s AND d.status = 'ready'
    ) AS c
    CROSS JOIN LATERAL (
        SELECT u.lexeme, cardinality(u.positions) AS tf FROM unnest(c.search_vector) AS u
        WHERE u.lexeme = ANY(%s::text[])
    ) AS m
    JOIN unnest(%s::text[], %s::float8[]) AS q(term, idf) ON q.term = m.lexeme
    GROUP BY c.id
    ORDER BY score DESC, c.id
    LIMIT %s
""".replace("{k1plus1}", str(K1 + 1)).replace("{k1}", str(K1)).replace("{b}", str(B))


def idf(*, passages: int, df: int) -> float:
    value = math.log((passages - df + 0.5) / (df + 0.5)) if passages else 0.0
    return value if value > 0 else IDF_FLOOR


def lexical_scores(
    *, workspace: Workspace, terms: list[str], limit: int, passage_ids: list[int] | None = None
) -> list[tuple[int, float]]:
    """(passage id, BM25 score) of the best `limit` passages containing any of `terms`, best first.
    With `passage_ids`, only those passages are scored (the hybrid ranker's missing scores)."""
    if not terms or limit < 1 or passage_ids == []:
        return []
    if connection.vendor == "sqlite":
        return _sqlite_scores(workspace, terms, limit, passage_ids)
    if connection.vendor == "postgresql":
        return _postgresql_scores(workspace, terms, limit, passage_ids)
    raise NotImplementedError(f"Passage search supports SQLite and PostgreSQL, not {connection.vendor}.")


def _sqlite_scores(workspace, terms, limit, passage_ids):
    from workspaces.retrieval.sqlite_vocab import sqlite_term_dfs

    dfs, passages = sqlite_term_dfs(terms)
    terms = [term for term in terms if dfs.get(term)]
    if not terms:
        return []
    if passages >= LARGE_WORKSPACE and passage_ids is None:
        # As on PostgreSQL: words in half the index or more (idf ~0) are not scanned unless they are all.
        terms = [term for term in terms if idf(passages=passages, df=dfs[term]) > IDF_FLOOR] or [
            min(terms, key=lambda term: dfs[term])
        ]
    match = " OR ".join(f'"{term}"' for term in terms)
    if passage_ids is None:
        # FTS5 ranks the whole table; the workspace's best `limit` are the first `limit` of its
        # rows in that order. Ranking first and joining only the head is exact whenever the head
        # holds `limit` of the workspace's rows (always, when one workspace has most passages).
        head = max(limit * SQLITE_HEAD_FACTOR, SQLITE_HEAD_MIN)
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_HEAD, [match, head, workspace.pk, limit])
            rows = [(row[0], float(row[1])) for row in cursor.fetchall()]
            if len(rows) >= limit:
                return rows
            cursor.execute(SQLITE_HEAD_COUNT, [match, head])
            if cursor.fetchone()[0] < head:
                return rows  # the head was every match: nothing more in this workspace
    only = ""
    params = [match, workspace.pk]
    if passage_ids is not None:
        only = f"AND p.id IN ({', '.join(['%s'] * len(passage_ids))})"
        params += list(passage_ids)
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_SCORES.format(only=only), [*params, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def postgresql_term_stats(workspace: Workspace, terms: list[str]) -> tuple[dict[str, int], int, int]:
    """({lexeme: df}, passages, total length) of `workspace` for the 'english' lexemes of `terms`."""
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_TERMS, [workspace.pk, workspace.pk, " ".join(terms), workspace.pk])
        rows = cursor.fetchall()
    if not rows:
        return {}, 0, 0
    return {lexeme: df for lexeme, df, _, _ in rows}, rows[0][2] or 0, rows[0][3] or 0


def _postgresql_scores(workspace, terms, limit, passage_ids):
    dfs, passages, total_length = postgresql_term_stats(workspace, terms)
    dfs = {lexeme: df for lexeme, df in dfs.items() if df > 0}
    if not dfs or not passages:
        return []
    weights = {lexeme: idf(passages=passages, df=df) for lexeme, df in dfs.items()}
    average = total_length / passages
    lexemes, idfs = list(weights), [weights[lexeme] for lexeme in weights]

    def scores(where, where_params, count):
        sql = POSTGRESQL_SCORES.format(where=where)
        with connection.cursor() as cursor:
            cursor.execute(sql, [average, *where_params, workspace.pk, lexemes, lexemes, idfs, count])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    if passage_ids is not None:
        return scores("p.id = ANY(%s)", [list(passage_ids)], limit)
    # Rarest first. In a large workspace, terms in half of it or more are never scanned
    # (their idf is clamped to ~0) unless they are all the query has.
    ordered = sorted(lexemes, key=lambda lexeme: dfs[lexeme])
    useful = ordered
    if passages >= LARGE_WORKSPACE:
        useful = [lexeme for lexeme in ordered if weights[lexeme] > IDF_FLOOR] or ordered[:1]
    scanned = max(1, sum(1 for lexeme in useful if dfs[lexeme] <= max(RARE_SHARE * passages, 1)))
    while True:
        query = " | ".join("'" + lexeme.replace("'", "''") + "'" for lexeme in useful[:scanned])
        rows = scores("p.search_vector @@ %s::tsquery", [query], limit)
        rest = useful[scanned:]
        threshold = rows[limit - 1][1] if len(rows) >= limit else 0.0
        if not rest or sum(weights[lexeme] * (K1 + 1) for lexeme in rest) <= threshold:
            return rows
        scanned += 1


POSTGRESQL_TERM_DFS = """
    SELECT q.term, coalesce(max(t.df), 0), (SELECT passages FROM retrieval_workspace_stats WHERE "workspaceId" = %s)
    FROM unnest(%s::text[]) AS q(term)
    LEFT JOIN LATERAL unnest(to_tsvector('english', q.term)) AS u ON true
    LEFT JOIN retrieval_term_stats t ON t."workspaceId" = %s AND t.term = u.lexeme
    GROUP BY q.term
"""


def term_weights(*, workspace: Workspace, terms: list[str]) -> dict[str, float]:
    """Each query term's weight in `workspace`: idf from the statistics BM25 ranks with, in the
    form that stays positive (ln(1 + (N − df + 0.5) / (df + 0.5))), so a word in half the passages
    still counts a little. A word no passage holds weighs the most: a question about something
    the documents never mention is not covered by a passage that shares its common words."""
    if not terms:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL_TERM_DFS, [workspace.pk, list(terms), workspace.pk])
            rows = cursor.fetchall()
        dfs, passages = {term: df for term, df, _ in rows}, (rows[0][2] or 0) if rows else 0
    else:
        from workspaces.retrieval.sqlite_vocab import sqlite_term_dfs

        dfs, passages = sqlite_term_dfs(terms)
    counts = {term: dfs.get(term) or 0 for term in terms}
    return {term: math.log(1 + (passages - df + 0.5) / (df + 0.5)) for term, df in counts.items()}
