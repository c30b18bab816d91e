"""Each host's search index (workspaces/retrieval/search_index.py): BM25 as a reference computes it,
and never a result the database would not give: every change committed before a request read the
workspace is in its search."""

import math
import time
from collections import Counter

import pytest
from django.core.management import call_command

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from tests.workspaces.retrieval.test_bm25 import (  # the same passages and questions as the database's ranking
    CORPUS,
    QUERIES,
)
from workspaces.documents.services import document_delete
from workspaces.models import Workspace
from workspaces.retrieval import search_index
from workspaces.retrieval.bm25 import lexical_scores, statistics
from workspaces.retrieval.models import IndexChange
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db



def reference_bm25(texts: list[str], query: list[str], k1=1.2, b=0.75) -> list[float]:
    """BM25 as Lucene and tantivy define it (idf = ln(1 + (N − df + 0.5) / (df + 0.5))), over the
    index's own words (passages under 40 words: tantivy stores their lengths exactly)."""
    tokens = [search_index.tokens(text) for text in texts]
    average = sum(map(len, tokens)) / len(tokens)
    words = {word for term in query for word in search_index.tokens(term)}
    scores = []
    for passage in tokens:
        counts = Counter(passage)
        score = 0.0
        for word in words:
            df = sum(1 for other in tokens if word in other)
            idf = math.log(1 + (len(tokens) - df + 0.5) / (df + 0.5))
            tf = counts[word]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(passage) / average)) if tf else 0.0
        scores.append(score)
    return scores


def ready(workspace, text, *, filename="notes.txt"):
    document = WorkspaceDocumentFactory(workspace=workspace, filename=filename, status="processing")
    passage = DocumentPassageFactory(document=document, position=1, text=text)
    type(document).objects.filter(pk=document.pk).update(status="ready")  # as ingestion's swap does
    return passage


def found(workspace, query):
    """What a search shows, given the workspace as its request reads it."""
    return [hit.text for hit in search_passages(workspace=Workspace.objects.get(pk=workspace.pk), query=query)]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_ranks_by_the_reference_bm25(workspace, query):
    passages = [ready(workspace, text) for text in CORPUS]
    scores = dict(lexical_scores(workspace=workspace, terms=query.split(), limit=10))
    expected = reference_bm25(CORPUS, query.split())
    assert isinstance(statistics(workspace=workspace, terms=query.split()), search_index_statistics())
    for passage, reference in zip(passages, expected, strict=True):
        assert scores.get(passage.pk, 0.0) == pytest.approx(reference, rel=1e-4)
    assert list(scores) == sorted(scores, key=lambda pid: -scores[pid])


def search_index_statistics():
    from workspaces.retrieval.bm25_index import IndexStatistics

    return IndexStatistics


def test_every_change_committed_before_the_request_read_the_workspace_is_in_its_search(workspace):
    first = ready(workspace, "The lighthouse keeper logs every ship.")
    assert found(workspace, "lighthouse") == [first.text]
    second = ready(workspace, "A second lighthouse stands on the cape.")
    assert sorted(found(workspace, "lighthouse")) == sorted([first.text, second.text])
    document_delete(document=first.document)
    assert found(workspace, "lighthouse") == [second.text]
    type(second.document).objects.filter(pk=second.document_id).update(status="failed")
    assert found(workspace, "lighthouse") == []


def test_a_row_read_before_a_change_sees_the_index_as_it_was_and_a_row_read_after_sees_the_change(workspace):
    ready(workspace, "The first mill.")
    before = Workspace.objects.get(pk=workspace.pk)
    assert len(search_passages(workspace=before, query="mill")) == 1
    ready(workspace, "The second mill.")
    after = Workspace.objects.get(pk=workspace.pk)
    assert len(search_passages(workspace=after, query="mill")) == 2
    assert len(search_passages(workspace=before, query="mill")) == 2  # the index only moves forward


def test_a_reindexed_document_is_found_by_its_new_words_only(workspace):
    passage = ready(workspace, "Old words about a windmill.")
    assert found(workspace, "windmill")
    document = passage.document
    document.passages.all().delete()
    DocumentPassageFactory(document=document, position=1, text="New words about a watermill.")
    type(document).objects.filter(pk=document.pk).update(status="ready")  # the swap sets it again
    assert found(workspace, "windmill") == [] and found(workspace, "watermill") == ["New words about a watermill."]


def test_another_host_builds_its_own_folder_from_the_database_and_ranks_the_same(workspace, settings, tmp_path):
    for text in CORPUS:
        ready(workspace, text)
    here = lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=5)
    settings.SEARCH_INDEX_DIR = str(tmp_path / "other-host")
    assert lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=5) == here
    assert (tmp_path / "other-host" / str(workspace.pk) / "docent.json").exists()


def test_a_folder_behind_a_gap_in_the_change_log_is_rebuilt(workspace, settings):
    ready(workspace, "Alpine meadow in summer.")
    assert found(workspace, "meadow")
    search_index._opened.clear()  # a process that starts after the log was pruned
    second = ready(workspace, "A meadow by the lake.")
    IndexChange.objects.all().delete()
    assert sorted(found(workspace, "meadow")) == sorted(["Alpine meadow in summer.", second.text])


def test_saving_a_loaded_workspace_never_lowers_its_search_version(workspace):
    loaded = Workspace.objects.get(pk=workspace.pk)
    ready(workspace, "Changed after the row was loaded.")
    loaded.description = "Edited in the admin"
    loaded.save()
    workspace.refresh_from_db()
    assert workspace.search_version == IndexChange.objects.filter(workspace_id=workspace.pk).count() > 0


@pytest.mark.django_db(transaction=True)
def test_a_workspace_over_the_inline_size_is_searched_in_the_database_while_its_folder_is_built(
    workspace, settings
):
    settings.SEARCH_INDEX_INLINE_PASSAGES = 1
    for text in CORPUS[:3]:
        ready(workspace, text)
    assert len(found(workspace, "train")) == 2  # ranked in the database: the same passages
    folder = search_index.folder_of(workspace)
    deadline = time.monotonic() + 30
    while folder in search_index._building and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (folder / "docent.json").exists()
    assert isinstance(statistics(workspace=workspace, terms=["train"]), search_index_statistics())
    assert len(found(workspace, "train")) == 2


def test_the_build_command_makes_every_workspace_folder_ahead_of_its_first_search(workspace, settings):
    other = WorkspaceFactory(name="Other")
    for space in (workspace, other):
        ready(space, "Built at deploy time.")
    call_command("search_index_build", verbosity=0)
    for space in (workspace, other):
        assert (search_index.folder_of(space) / "docent.json").exists()


def test_an_unwritable_index_folder_leaves_the_search_to_the_database(workspace, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.SEARCH_INDEX_DIR = str(blocker)
    passage = ready(workspace, "Searchable without an index.")
    assert found(workspace, "searchable") == [passage.text]


def test_a_passage_of_another_workspace_is_never_shown(workspace, settings):
    """A folder that is not what it claims (copied between hosts, a reused id) still shows only
    the workspace's own passages: hits are read back from the database and checked."""
    other = WorkspaceFactory(name="Other")
    foreign = ready(other, "Secret harbour plans.")
    ready(workspace, "Public harbour timetable.")
    found(workspace, "harbour")
    opened = search_index._opened[search_index.folder_of(workspace)]
    writer = opened.index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(search_index.tantivy.Document(passage=foreign.pk, document=foreign.document_id,
                                                      text=foreign.text))
    writer.commit()
    writer.wait_merging_threads()
    opened.index.reload()
    opened.searcher = opened.index.searcher()
    assert found(workspace, "secret harbour") == ["Public harbour timetable."]


def test_pruning_forgets_old_changes_and_the_folders_of_deleted_workspaces(workspace, settings):
    gone = WorkspaceFactory(name="Gone")
    ready(gone, "Soon deleted.")
    found(gone, "deleted")
    folder = search_index.folder_of(gone)
    assert folder.exists()
    gone.delete()
    search_index.search_index_prune()
    assert not folder.exists() and not IndexChange.objects.filter(workspace_id=folder.name).exists()
    ready(workspace, "Kept a while.")
    IndexChange.objects.update(created_at="2000-01-01T00:00:00Z")
    search_index.search_index_prune()
    assert not IndexChange.objects.exists()
    assert found(workspace, "kept") == ["Kept a while."]  # the folder rebuilt past the gap


def test_the_index_reads_words_as_people_write_them(workspace):
    passage = ready(workspace, "Café Zürich: RÉSUMÉS and running shoes")
    for query in ("cafe", "zurich", "resume", "run", "SHOE"):
        assert found(workspace, query) == [passage.text], query


def test_many_documents_changed_by_one_statement_are_all_applied(workspace):
    """One UPDATE of many rows (as a workspace's deletion or a bulk admin action makes): PostgreSQL
    gives the statement one version, SQLite one a row; either way every document is applied."""
    passages = [ready(workspace, f"Harbour note {number}.", filename=f"n{number}.txt") for number in range(5)]
    assert len(found(workspace, "harbour")) == 5
    type(passages[0].document).objects.filter(workspace=workspace).update(status="failed")
    assert found(workspace, "harbour") == []
    changes = IndexChange.objects.filter(workspace_id=workspace.pk)
    assert not changes.filter(version__isnull=True).exists()
    assert changes.values("version").distinct().count() == Workspace.objects.get(pk=workspace.pk).search_version
    type(passages[0].document).objects.filter(workspace=workspace).update(status="ready")
    assert len(found(workspace, "harbour")) == 5


def test_a_folder_that_cannot_be_read_is_rebuilt_on_the_next_search(workspace):
    ready(workspace, "Damaged but recoverable.")
    assert found(workspace, "recoverable")
    folder = search_index.folder_of(workspace)
    (folder / "meta.json").write_text("{}")  # tantivy's own record of its segments, spoilt
    search_index._opened.clear()  # a process that opens it afresh
    ready(workspace, "Another recoverable passage.")
    assert len(found(workspace, "recoverable")) == 2  # the database ranks while the folder is unusable
    assert len(found(workspace, "recoverable")) == 2  # then the folder is rebuilt
    assert isinstance(statistics(workspace=Workspace.objects.get(pk=workspace.pk), terms=["recoverable"]),
                      search_index_statistics())
