# Passages keep the structure of their document: heading path, pages, word count
# and the blocks the page renders. The full-text index is rebuilt over
# heading_path and text together, so a search for a section's name finds it.

from django.db import migrations, models

# SQLite: Django rebuilds document_passages to add non-null columns, which drops
# the triggers of migration 0002; the FTS5 table is dropped first and made again
# with two columns, then filled from the table ('rebuild').
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS document_passages_fts_update",
    "DROP TRIGGER IF EXISTS document_passages_fts_delete",
    "DROP TRIGGER IF EXISTS document_passages_fts_insert",
    "DROP TABLE IF EXISTS document_passages_fts",
]


def sqlite_create(columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        f"""CREATE VIRTUAL TABLE document_passages_fts USING fts5(
            {names}, content='document_passages', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        )""",
        f"""CREATE TRIGGER document_passages_fts_insert AFTER INSERT ON document_passages BEGIN
            INSERT INTO document_passages_fts(rowid, {names}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER document_passages_fts_delete AFTER DELETE ON document_passages BEGIN
            INSERT INTO document_passages_fts(document_passages_fts, rowid, {names}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER document_passages_fts_update AFTER UPDATE OF {names} ON document_passages BEGIN
            INSERT INTO document_passages_fts(document_passages_fts, rowid, {names}) VALUES ('delete', old.id, {old});
            INSERT INTO document_passages_fts(rowid, {names}) VALUES (new.id, {new});
        END""",
        "INSERT INTO document_passages_fts(document_passages_fts) VALUES ('rebuild')",
    ]


POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS document_passages_search_vector",
    "ALTER TABLE document_passages DROP COLUMN IF EXISTS search_vector",
]


def postgresql_create(expression: str) -> list[str]:
    return [
        f"""ALTER TABLE document_passages ADD COLUMN search_vector tsvector
            GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {expression})) STORED""",
        "CREATE INDEX document_passages_search_vector ON document_passages USING GIN (search_vector)",
    ]


def drop_fulltext_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, []):
        schema_editor.execute(statement)


def create_fulltext_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {
        "sqlite": sqlite_create(("heading_path", "text")),
        "postgresql": postgresql_create("heading_path || ' ' || text"),
    }
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


def create_text_only_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_create(("text",)), "postgresql": postgresql_create("text")}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('workspaces', '0009_membership_role'),
    ]

    operations = [
        migrations.RunPython(drop_fulltext_index, create_text_only_index),
        migrations.AddField(
            model_name='documentpassage',
            name='blocks',
            field=models.JSONField(blank=True, default=list, help_text='The document blocks the page renders for this passage.'),
        ),
        migrations.AddField(
            model_name='documentpassage',
            name='heading_path',
            field=models.TextField(blank=True, default='', help_text='The headings the passage sits under, outermost first, joined by ›.'),
        ),
        migrations.AddField(
            model_name='documentpassage',
            name='page_end',
            field=models.PositiveIntegerField(blank=True, help_text='The page it ends on (PDF).', null=True),
        ),
        migrations.AddField(
            model_name='documentpassage',
            name='page_start',
            field=models.PositiveIntegerField(blank=True, help_text='The page it starts on (PDF).', null=True),
        ),
        migrations.AddField(
            model_name='documentpassage',
            name='word_count',
            field=models.PositiveIntegerField(blank=True, help_text='Empty for passages made before 0010.', null=True),
        ),
        migrations.RunPython(create_fulltext_index, drop_fulltext_index),
    ]
