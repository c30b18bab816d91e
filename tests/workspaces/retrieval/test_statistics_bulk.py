"""A bulk load leaves BM25's statistics to one rebuild at its end (workspaces/retrieval/statistics_bulk.py):
the statistics are then those the per-statement triggers give for the same passages."""

import pytest

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.models import Workspace
from workspaces.retrieval import bm25
from workspaces.retrieval.statistics_bulk import passage_statistics_rebuilt_after

pytestmark = pytest.mark.django_db

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


@pytest.mark.parametrize("named", [True, False])
def test_a_bulk_load_gives_the_statistics_the_triggers_give(named):
    workspace = WorkspaceFactory(name="Lighthouses")
    load(workspace)
    by_triggers = statistics(workspace)
    assert (by_triggers.dfs, by_triggers.passages) == (
        {"lighthouse": 2, "ship": 2, "cliff": 2, "keeper": 1, "night": 1, "absent": 0}, 3
    )
    for document in workspace.documents.all():
        document.passages.all().delete()
    assert statistics(workspace).passages == 0

    with passage_statistics_rebuilt_after([workspace.pk] if named else None):
        load(workspace)

    assert statistics(workspace) == by_triggers
