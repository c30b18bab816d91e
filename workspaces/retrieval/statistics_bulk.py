"""BM25's statistics on PostgreSQL written once after a bulk load, not once per statement (issue 30).

The statistics triggers (migrations 0015, 0024) keep `retrieval_term_stats` and
`retrieval_workspace_stats` up to date per INSERT, UPDATE or DELETE of passages. A load that writes
passages row by row (a restore) paid them once per row. Inside `passage_statistics_rebuilt_after`
they stand aside (migration 0025: a transaction-local setting) and, before the transaction ends,
the statistics of the workspaces named (every workspace without a list) are rebuilt from their
passages in one statement each, under the same advisory locks the triggers take. SQLite's BM25
reads FTS5's own statistics: there it changes nothing.
"""

from contextlib import contextmanager

from django.db import connection, transaction

SETTING = "docent.passage_statistics"  # migration 0025's

PASSAGES = """SELECT d."workspaceId", p.search_length, p.search_vector FROM document_passages p
    JOIN workspace_documents d ON d.id = p."documentId" WHERE {where}"""
LOCKS = """SELECT pg_advisory_xact_lock(1414, w.id::integer)
    FROM (SELECT id FROM workspaces WHERE {where} ORDER BY 1) w"""
REBUILD = (
    LOCKS,
    "DELETE FROM retrieval_term_stats WHERE {stats_where}",
    "DELETE FROM retrieval_workspace_stats WHERE {stats_where}",
    """INSERT INTO retrieval_workspace_stats ("workspaceId", passages, "totalLength")
        SELECT "workspaceId", count(*), coalesce(sum(search_length), 0) FROM ({passages}) c GROUP BY 1 ORDER BY 1""",
    """INSERT INTO retrieval_term_stats ("workspaceId", term, df)
        SELECT c."workspaceId", u.lexeme, count(*)
        FROM ({passages}) c CROSS JOIN LATERAL unnest(tsvector_to_array(c.search_vector)) AS u(lexeme)
        GROUP BY 1, 2 ORDER BY 1, 2""",
)


@contextmanager
def passage_statistics_rebuilt_after(workspace_ids: list[int] | None = None):
    """Passages written inside leave the statistics alone; those of `workspace_ids` (None: every
    workspace) are rebuilt at the end, in the same transaction. Name every workspace the block
    writes passages to (or none, for all): another's statistics would stay as they were. A rebuild
    reads all of a workspace's passages: for loads into empty workspaces, or large against what is
    there. The named workspaces' advisory locks are taken first, in id order, as the triggers and
    ingestion take them, so a concurrent upload waits instead of deadlocking."""
    if connection.vendor != "postgresql":
        yield
        return
    parameters = {} if workspace_ids is None else {"ids": list(workspace_ids)}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if workspace_ids is not None:
                cursor.execute(LOCKS.format(where="id = ANY(%(ids)s)"), parameters)
            cursor.execute("SELECT current_setting(%s, true)", [SETTING])
            outer = cursor.fetchone()[0] or ""  # an enclosing block's 'deferred' stays
            cursor.execute("SELECT set_config(%s, 'deferred', true)", [SETTING])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, outer])
            _rebuild(cursor, workspace_ids, parameters)


def _rebuild(cursor, workspace_ids, parameters) -> None:
    everything = workspace_ids is None
    for statement in REBUILD:
        cursor.execute(statement.format(
            where="true" if everything else "id = ANY(%(ids)s)",
            stats_where="true" if everything else '"workspaceId" = ANY(%(ids)s)',
            passages=PASSAGES.format(where="true" if everything else 'd."workspaceId" = ANY(%(ids)s)'),
        ), parameters)
