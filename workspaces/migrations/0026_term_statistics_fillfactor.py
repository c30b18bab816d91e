# Issue 30: on PostgreSQL, each passage INSERT's statement trigger adds one to the df of every word its
# rows hold: about 2,300 upserts for a 10-page document, 8 µs each on full pages, where a new version
# of a row goes to another page and both indexes of the table get an entry. With half of each page
# kept free, the new version stays on its page and needs no index entry (a HOT update): a document's
# upserts took 10 ms instead of 20, and the worker 50–53 ms a document instead of 56–61 (three
# alternating runs each, `make bench-ingest`'s documents). The table is rewritten once so that its
# pages have that room (VACUUM FULL, outside a transaction: a few seconds at 200,000 passages, the
# table locked meanwhile). PostgreSQL only; every row kept.

from django.db import migrations

FILL_FACTOR = 50


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE retrieval_term_stats SET (fillfactor = {FILL_FACTOR})")
        schema_editor.execute("VACUUM FULL retrieval_term_stats")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE retrieval_term_stats RESET (fillfactor)")
        schema_editor.execute("VACUUM FULL retrieval_term_stats")


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run in a transaction

    dependencies = [
        ("workspaces", "0025_passage_statistics_deferred"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
