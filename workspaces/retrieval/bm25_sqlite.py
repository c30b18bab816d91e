"""BM25 on SQLite: FTS5's own `bm25()`, computed only for the passages the ranking needs.

FTS5 scores every row its MATCH returns (about 1.3 µs a row), so a word in a quarter of
200,000 passages costs 70 ms to rank in full. `bm25.rank` asks for the passages holding
one of the query's rarer words ("essential" words) and gets their exact scores from two
MATCHes FTS5 answers from its index: `(rare) AND (common)` (the common words' doclists
are only sought at the rare words' rows) and `(rare) NOT (common)`. In both, bm25() is
that of the whole query: a word absent from a row adds nothing, and every word's idf is
the same in both. Passages holding only common words are ranked only when their best
possible score could still enter the top (MaxScore, `bm25.rank`).

`scores_of` gives the exact bm25() of listed passages (the hybrid ranker's vector-only
candidates): FTS5 re-counts each word's rows for every MATCH, too slow once per
passage, so the passages are tokenized by FTS5 itself in a scratch table of the
connection's temporary schema and scored with the index's own counts.
"""

import json

from django.db import connection

from workspaces.retrieval.bm25_formula import Statistics, idf, saturation
from workspaces.retrieval.sqlite_vocab import sqlite_term_dfs, varints

# Ranking first and joining only this head to the workspace is exact whenever the head
# holds `limit` of the workspace's rows (always, when one workspace has most passages).
HEAD_FACTOR = 4
HEAD_MIN = 200

RANKED = (
    "SELECT rowid AS id, -bm25(document_passages_fts) AS score FROM document_passages_fts"
    " WHERE document_passages_fts MATCH %s"
)
HEAD = "SELECT * FROM ({union}) ORDER BY score DESC, id LIMIT %s"
HEAD_COUNT = "SELECT count(*) FROM (SELECT * FROM ({union}) LIMIT %s)"
IN_WORKSPACE = """
    SELECT p.id, c.score FROM ({candidates}) AS c
    CROSS JOIN document_passages p ON p.id = c.id
    CROSS JOIN workspace_documents d ON d.id = p."documentId"
    WHERE d."workspaceId" = %s AND d.status = 'ready'{documents}
    ORDER BY c.score DESC, p.id
    LIMIT %s
"""
NEWEST = """
    SELECT id, score FROM (
        SELECT p.id AS id, -bm25(document_passages_fts) AS score FROM document_passages_fts
        CROSS JOIN document_passages p ON p.id = document_passages_fts.rowid
        CROSS JOIN workspace_documents d ON d.id = p."documentId"
        WHERE document_passages_fts MATCH %s AND d."workspaceId" = %s AND d.status = 'ready'{documents}
        ORDER BY document_passages_fts.rowid DESC LIMIT %s
    ) ORDER BY score DESC, id LIMIT %s
"""
SCRATCH = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS temp.retrieval_scratch USING fts5(
        heading_path, text, content='', tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS temp.retrieval_scratch_tokens
        USING fts5vocab(temp, retrieval_scratch, instance)""",
    "INSERT INTO temp.retrieval_scratch (retrieval_scratch) VALUES ('delete-all')",
]
SCRATCH_QUERY = "INSERT INTO temp.retrieval_scratch (rowid, heading_path, text) VALUES (%s, '', %s)"
SCRATCH_STEMS = "SELECT term FROM temp.retrieval_scratch_tokens ORDER BY offset"
SCRATCH_FILL = """
    INSERT INTO temp.retrieval_scratch (rowid, heading_path, text)
    SELECT p.id, p.heading_path, p.text FROM document_passages p
    CROSS JOIN workspace_documents d ON d.id = p."documentId"
    WHERE d."workspaceId" = %s AND d.status = 'ready' AND p.id IN ({ids})
"""
SCRATCH_COUNTS = """
    SELECT doc, term, count(*) FROM temp.retrieval_scratch_tokens
    WHERE term IN ({stems}) AND doc != %s GROUP BY doc, term
"""
SIZES = "SELECT id, sz FROM document_passages_fts_docsize WHERE id IN ({ids})"
QUERY_ROW = 0  # the scratch row holding the query's words, one a line, to learn how FTS5 stems them


# A filtered search: only the listed documents (one JSON array parameter, however many).
IN_DOCUMENTS = " AND d.id IN (SELECT value FROM json_each(%s))"


def _documents(documents) -> tuple[str, list]:
    return ("", []) if documents is None else (IN_DOCUMENTS, [json.dumps(list(documents))])


def quoted(terms) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


def statistics(workspace, terms: list[str]) -> Statistics:
    """FTS5's counts over its whole table, as bm25() counts them."""
    dfs, passages, tokens = sqlite_term_dfs(terms)
    return Statistics(dfs, passages, (tokens / passages if passages else 0.0), {})


def essential_scores(
    workspace, stats, essential: list[str], rest: list[str], limit: int, *, documents=None
) -> list[tuple[int, float]]:
    """The best `limit` of the workspace's passages holding one of `essential`, scored for all the words
    (only passages of `documents`, when given)."""
    in_documents, document_ids = _documents(documents)
    if rest:
        expressions = [f"({quoted(essential)}) AND ({quoted(rest)})", f"({quoted(essential)}) NOT ({quoted(rest)})"]
    else:
        expressions = [quoted(essential)]
    union = " UNION ALL ".join([RANKED] * len(expressions))
    head = max(limit * HEAD_FACTOR, HEAD_MIN)
    with connection.cursor() as cursor:
        cursor.execute(
            IN_WORKSPACE.format(candidates=HEAD.format(union=union), documents=in_documents),
            [*expressions, head, workspace.pk, *document_ids, limit],
        )
        rows = [(pid, float(score)) for pid, score in cursor.fetchall()]
        if len(rows) >= limit:
            return rows
        cursor.execute(HEAD_COUNT.format(union=union), [*expressions, head])
        if cursor.fetchone()[0] < head:
            return rows  # the head was every match: nothing more in this workspace
        cursor.execute(
            IN_WORKSPACE.format(candidates=union, documents=in_documents),
            [*expressions, workspace.pk, *document_ids, limit],
        )
        return [(pid, float(score)) for pid, score in cursor.fetchall()]


def newest_scores(
    workspace, stats, terms: list[str], scanned: int, limit: int, *, documents=None
) -> list[tuple[int, float]]:
    """The best `limit` of the newest `scanned` passages holding any of `terms`, by bm25()."""
    in_documents, document_ids = _documents(documents)
    with connection.cursor() as cursor:
        cursor.execute(
            NEWEST.format(documents=in_documents), [quoted(terms), workspace.pk, *document_ids, scanned, limit]
        )
        return [(pid, float(score)) for pid, score in cursor.fetchall()]


def scores_of(workspace, stats, terms: list[str], passage_ids: list[int]) -> list[tuple[int, float]]:
    """bm25() of each listed passage of the workspace holding any of `terms`, best first."""
    if not stats.passages or not stats.average:
        return []
    marks = ", ".join(["%s"] * len(passage_ids))
    with connection.cursor() as cursor:
        for statement in SCRATCH:
            cursor.execute(statement)
        cursor.execute(SCRATCH_QUERY, [QUERY_ROW, "\n".join(terms)])
        cursor.execute(SCRATCH_STEMS)
        stems = [row[0] for row in cursor.fetchall()]
        if len(stems) != len(terms):  # not seen: query_terms keeps words FTS5 reads as one token each
            return []
        cursor.execute(SCRATCH_FILL.format(ids=marks), [workspace.pk, *passage_ids])
        cursor.execute(SCRATCH_COUNTS.format(stems=", ".join(["%s"] * len(stems))), [*stems, QUERY_ROW])
        frequencies = {(doc, term): count for doc, term, count in cursor.fetchall()}
        cursor.execute(SIZES.format(ids=marks), list(passage_ids))
        lengths = {pid: sum(varints(sizes)) for pid, sizes in cursor.fetchall()}
    stem_of = dict(zip(terms, stems, strict=True))
    weights = [(stem_of[term], idf(passages=stats.passages, df=stats.dfs.get(term, 0))) for term in terms]
    scored = []
    for pid in {doc for doc, _ in frequencies}:
        score = sum(
            weight * saturation(frequencies.get((pid, stem), 0), lengths[pid], stats.average)
            for stem, weight in weights
        )
        if score > 0:
            scored.append((pid, score))
    return sorted(scored, key=lambda row: (-row[1], row[0]))
