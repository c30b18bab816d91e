# Issue 30: a bulk load (a restore) wrote the BM25 statistics once per inserted row on PostgreSQL: a
# restore saves its rows one by one, and each passage's statement trigger upserted its 100-odd terms.
# Now the three statistics triggers stand aside while the transaction-local setting
# `docent.passage_statistics` is 'deferred'; whoever sets it rebuilds the statistics once, in the
# same transaction (workspaces/retrieval/statistics_bulk.py). Otherwise the triggers are what
# migration 0024 made them. PostgreSQL only; no row changes.

import importlib

from django.db import migrations

BEFORE = importlib.import_module("workspaces.migrations.0024_ingest_term_arrays")
FUNCTION = importlib.import_module("workspaces.migrations.0015_main_trigger_speed").function
SETTING = "docent.passage_statistics"
STAND_ASIDE = f"IF current_setting('{SETTING}', true) = 'deferred' THEN RETURN NULL; END IF;\n"


def bodies() -> dict[str, str]:
    """The three statement triggers' functions as migration 0024 made them."""
    return {name: BEFORE.with_term_arrays(body) for name, body in BEFORE.bodies().items()}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, body in bodies().items():
            schema_editor.execute(FUNCTION(name, STAND_ASIDE + body))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, body in bodies().items():
            schema_editor.execute(FUNCTION(name, body))


class Migration(migrations.Migration):

    dependencies = [
        ("workspaces", "0024_ingest_term_arrays"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
