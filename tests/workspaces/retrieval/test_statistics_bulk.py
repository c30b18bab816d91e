"""A bulk load leaves BM25's statistics to one rebuild at its end (workspaces/retrieval/statistics_bulk.py):
the statistics are then those the per-statement triggers give for the same passages. (SQLite's BM25
reads FTS5's own statistics: these tests hold there trivially and test the rebuild on PostgreSQL.)"""

import importlib

import pytest
from django.db import connection, transaction

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.models import Workspace
from workspaces.retrieval import bm25
from workspaces.retrieval.statistics_bulk import passage_statistics_rebuilt_after

pytestmark = pytest.mark.django_db

FILL_FACTOR_MIGRATION = importlib.import_module("workspaces.migrations.0026_term_statistics_fillfactor")

TEXTS = [
    "The lighthouse keeper logs every ship.", "A lighthouse stands on the cliff.", "Ships pass the cliff at night.",
]
TERMS = ["lighthouse", "ship", "cliff", "keeper", "night", "absent"]


def load(workspace) -> None:
    """Three passages written one by one, and one written and deleted again."""
    document = WorkspaceDocumentFactory(workspace=workspace)
    for position, text in enumerate(TEXTS, start=1):
        DocumentPassageFactory(document=document, position=position, text=text)
    gone = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=gone, position=1, text="A keeper of nothing.")
    gone.passages.all().delete()


def statistics(workspace):
    return bm25._backend().statistics(Workspace.objects.get(pk=workspace.pk), TERMS)


def emptied(workspace) -> None:
    for document in workspace.documents.all():
        document.passages.all().delete()


@pytest.mark.parametrize("named", [True, False])
def test_a_bulk_load_gives_the_statistics_the_triggers_give(named):
    workspace, other = WorkspaceFactory(name="Lighthouses"), WorkspaceFactory(name="Other")
    load(other)
    load(workspace)
    by_triggers = statistics(workspace)
    assert by_triggers.dfs["lighthouse"] >= 2 and by_triggers.dfs["absent"] == 0
    before = statistics(other)
    emptied(workspace)
    if connection.vendor == "postgresql":  # (SQLite's FTS5 counts every workspace's passages)
        assert statistics(workspace).passages == 0

    with passage_statistics_rebuilt_after([workspace.pk] if named else None):
        load(workspace)
        if connection.vendor == "postgresql":  # the triggers stood aside
            assert statistics(workspace).passages == 0

    assert statistics(workspace) == by_triggers
    assert statistics(other) == before  # a workspace not named, not written to: as it was


def test_after_a_bulk_load_or_one_that_failed_the_triggers_count_again():
    workspace = WorkspaceFactory(name="Lighthouses")
    with transaction.atomic():
        with passage_statistics_rebuilt_after([workspace.pk]):
            pass
        load(workspace)  # in the same transaction, after the block
        with pytest.raises(RuntimeError), passage_statistics_rebuilt_after([workspace.pk]):
            raise RuntimeError("the load failed")
        document = WorkspaceDocumentFactory(workspace=workspace)
        DocumentPassageFactory(document=document, position=1, text="Another lighthouse.")
    assert statistics(workspace).passages == 4 and statistics(workspace).dfs["lighthouse"] == 3


def test_word_counts_are_updated_in_place_on_postgresql_and_sqlite_is_left_alone(workspace):
    """Half of each page of `retrieval_term_stats` stays free (migration 0026), so adding to a word's
    count writes its new version beside the old one, with no index entry (a HOT update). SQLite's
    BM25 reads FTS5's own counts: the migration does nothing there."""
    if connection.vendor != "postgresql":
        executed = []
        editor = type("Editor", (), {"connection": connection, "execute": lambda self, sql: executed.append(sql)})()
        FILL_FACTOR_MIGRATION.forwards(None, editor)
        FILL_FACTOR_MIGRATION.backwards(None, editor)
        assert executed == []
        return
    load(workspace)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'retrieval_term_stats'")
        assert cursor.fetchone()[0] == ["fillfactor=50"]
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                       "WHERE relname = 'retrieval_term_stats'")
        updated, in_place = cursor.fetchone()
    assert updated > 0 and in_place == updated  # "lighthouse", "cliff"… counted again, each in place
