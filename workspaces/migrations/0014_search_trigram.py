# Spelling suggestions on PostgreSQL: pg_trgm and a trigram index over the BM25 statistics'
# words, where the server offers the extension and the role may create it. Without it,
# suggestions come from words of the same first letter (workspaces.retrieval.vocabulary).
# SQLite needs nothing: FTS5's vocabulary is read through a temporary fts5vocab table.

from django.db import migrations, transaction

TRIGRAM_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS retrieval_term_stats_trgm ON retrieval_term_stats USING gin (term gin_trgm_ops)",
]


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        available = cursor.fetchone() is not None
    if available:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                for statement in TRIGRAM_FORWARDS:
                    schema_editor.execute(statement)
        except Exception:  # noqa: BLE001 - e.g. no privilege to create the extension: suggest by first letter
            pass


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS retrieval_term_stats_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0013_chat_private"),
    ]

    operations = [
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
