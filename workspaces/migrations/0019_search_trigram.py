# Spelling suggestions on PostgreSQL: pg_trgm, where the server offers the extension and the
# role may create it, finds the indexed words near a misspelt one whose first letter is wrong
# too. Without it, suggestions come only from words of the same first letter
# (workspaces.retrieval.vocabulary). No trigram index: one over retrieval_term_stats made
# passage inserts 30-60 % slower (measured), and the trigram pass reads one workspace's
# words only when the first-letter pass found nothing.
# SQLite needs nothing: FTS5's vocabulary is read through a temporary fts5vocab table.

from django.db import migrations, transaction

def create_trigram_extension(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        available = cursor.fetchone() is not None
    if available:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - e.g. no privilege to create the extension: suggest by first letter
            pass


def keep_the_extension(apps, schema_editor):
    """Going back leaves pg_trgm installed: another database object may use it."""


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0018_sso_group_workspaces"),
    ]

    operations = [
        migrations.RunPython(create_trigram_extension, keep_the_extension),
    ]
