# Issue 30: passage inserts on PostgreSQL cost 0.44-0.76 of the same inserts without the BM25
# triggers. A row trigger counted each passage's words with regexp_matches in PL/pgSQL, and every
# statement created and dropped a temporary table to hand its rows to a shared function.
#
# Now the length is a generated column (computed in C, as search_vector already is), counted the
# same way: runs of letters and digits, each replaced by one character and then by none, the
# difference being the number of runs. The statement triggers aggregate straight from their
# transition tables. Same statistics, same locks (each workspace's advisory lock in id order,
# terms upserted in sorted order, so concurrent uploads wait instead of deadlocking).

from django.db import migrations

SEARCHED = "coalesce(heading_path, '') || ' ' || text"
LENGTH = (
    f"length(regexp_replace({SEARCHED}, '[[:alnum:]]+', '#', 'g')) "
    f"- length(regexp_replace({SEARCHED}, '[[:alnum:]]+', '', 'g'))"
)


def changed_rows(rows: str, where: str = "") -> str:
    return (f"""SELECT d."workspaceId", r.search_length, r.search_vector FROM {rows} r
        JOIN workspace_documents d ON d.id = r."documentId" {where}""")


def lock(source: str) -> str:
    return f"""PERFORM pg_advisory_xact_lock(1414, w."workspaceId"::integer)
        FROM (SELECT DISTINCT "workspaceId" FROM ({source}) c ORDER BY 1) w;"""


def add(source: str) -> str:
    return f"""
        INSERT INTO retrieval_workspace_stats AS s ("workspaceId", passages, "totalLength")
            SELECT "workspaceId", count(*), coalesce(sum(search_length), 0) FROM ({source}) c GROUP BY 1 ORDER BY 1
        ON CONFLICT ("workspaceId") DO UPDATE
            SET passages = s.passages + EXCLUDED.passages, "totalLength" = s."totalLength" + EXCLUDED."totalLength";
        INSERT INTO retrieval_term_stats AS t ("workspaceId", term, df)
            SELECT c."workspaceId", u.lexeme, count(*)
            FROM ({source}) c CROSS JOIN LATERAL unnest(c.search_vector) AS u GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT ("workspaceId", term) DO UPDATE SET df = t.df + EXCLUDED.df;"""


def remove(source: str) -> str:
    # Only rows that exist are decremented: a workspace being deleted may have lost them already.
    return f"""
        UPDATE retrieval_workspace_stats s SET passages = s.passages - c.n, "totalLength" = s."totalLength" - c.l
        FROM (SELECT "workspaceId", count(*) AS n, coalesce(sum(search_length), 0) AS l
              FROM ({source}) r GROUP BY 1) c
        WHERE s."workspaceId" = c."workspaceId";
        UPDATE retrieval_term_stats t SET df = t.df - c.n
        FROM (SELECT r."workspaceId", u.lexeme, count(*) AS n
              FROM ({source}) r CROSS JOIN LATERAL unnest(r.search_vector) AS u GROUP BY 1, 2) c
        WHERE t."workspaceId" = c."workspaceId" AND t.term = c.lexeme;
        DELETE FROM retrieval_term_stats t USING (SELECT DISTINCT "workspaceId" FROM ({source}) r) w
        WHERE t."workspaceId" = w."workspaceId" AND t.df <= 0;"""


UPDATED = """WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.id = r.id AND (o.text IS DISTINCT FROM n.text OR o.heading_path IS DISTINCT FROM n.heading_path
        OR o."documentId" IS DISTINCT FROM n."documentId"))"""


def function(name: str, body: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {body}
        RETURN NULL;
    END $$"""


INSERTED, DELETED = changed_rows("new_rows"), changed_rows("old_rows")
UPDATED_OLD, UPDATED_NEW = changed_rows("old_rows", UPDATED), changed_rows("new_rows", UPDATED)

POSTGRESQL_FORWARDS = [
    "DROP TRIGGER IF EXISTS document_passages_search_length ON document_passages",
    "DROP FUNCTION IF EXISTS document_passages_search_length()",
    "ALTER TABLE document_passages DROP COLUMN search_length",
    f"ALTER TABLE document_passages ADD COLUMN search_length integer GENERATED ALWAYS AS ({LENGTH}) STORED",
    function("document_passages_stats_insert", lock(INSERTED) + add(INSERTED)),
    function("document_passages_stats_delete", lock(DELETED) + remove(DELETED)),
    function(
        "document_passages_stats_update",
        lock(f"{UPDATED_OLD} UNION ALL {UPDATED_NEW}") + remove(UPDATED_OLD) + add(UPDATED_NEW),
    ),
    "DROP FUNCTION IF EXISTS retrieval_stats_apply(integer)",
]

# Back: the length as a plain column kept by a row trigger, as migration 0011 made it. The statement
# triggers keep today's bodies, which read the same columns.
OLD_LENGTH = (
    "(SELECT count(*) FROM regexp_matches(coalesce(NEW.heading_path, '') || ' ' || NEW.text, '[[:alnum:]]+', 'g'))"
)
POSTGRESQL_BACKWARDS = [
    "ALTER TABLE document_passages DROP COLUMN search_length",
    "ALTER TABLE document_passages ADD COLUMN search_length integer NOT NULL DEFAULT 0",
    f"UPDATE document_passages SET search_length = {LENGTH}",
    f"""CREATE FUNCTION document_passages_search_length() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_length := {OLD_LENGTH};
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER document_passages_search_length BEFORE INSERT OR UPDATE OF text, heading_path ON document_passages
        FOR EACH ROW EXECUTE FUNCTION document_passages_search_length()""",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0014_main_words_for_people"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
