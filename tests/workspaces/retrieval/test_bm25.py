"""BM25 in the database ranks the same on SQLite and PostgreSQL: the order of a reference BM25
computed here. (It ranks where a host has no search index yet; the index's own ranking:
test_search_index.py.)"""

import math
import re

import factory
import pytest

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.documents.models import DocumentPassage
from workspaces.documents.services import document_delete
from workspaces.retrieval.bm25 import lexical_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_ranks(settings):
    settings.SEARCH_INDEX_DIR = ""

# Words whose stems agree under Porter (SQLite) and Snowball English (PostgreSQL), none a stop word.
CORPUS = [
    "Tokyo train timetable for the early morning train and the late train.",
    "The harbour ferry leaves at noon and the harbour bus leaves later.",
    "A train strike closed the harbour station for one long day in spring.",
    "Museum tickets cost ten euros; children enter the museum free.",
    "The night bus runs every hour between the harbour and the museum district of the old town.",
    "Spring festival: lanterns, music and food stalls along the river until midnight.",
    "Ferry tickets to the island cost twelve euros, bikes travel free on the ferry.",
    "Weather in spring is mild with rain showers in the morning.",
]
QUERIES = ["harbour ferry tickets", "train harbour", "museum free tickets", "spring morning rain", "bus night"]
STOP = {"the", "and", "for", "at", "a", "in", "of", "is", "with", "to", "on", "one", "every", "between", "until"}


def reference_bm25(documents: list[str], query: list[str], k1=1.2, b=0.75) -> list[float]:
    """Textbook BM25 (FTS5's idf clamp) over lower-case word tokens; a word is matched with its plural."""
    tokens = [re.findall(r"[a-z0-9]+", text.lower()) for text in documents]
    average = sum(map(len, tokens)) / len(tokens)

    def same(word, term):
        return word == term or word == term + "s"

    scores = []
    for words in tokens:
        score = 0.0
        for term in query:
            df = sum(1 for other in tokens if any(same(w, term) for w in other))
            idf = math.log((len(tokens) - df + 0.5) / (df + 0.5))
            idf = idf if idf > 0 else 1e-6
            tf = sum(1 for w in words if same(w, term))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(words) / average))
        scores.append(score)
    return scores


@pytest.fixture
def corpus():
    workspace = WorkspaceFactory()
    document = WorkspaceDocumentFactory(workspace=workspace)
    ids = [DocumentPassageFactory(document=document, position=i, text=text).pk for i, text in enumerate(CORPUS, 1)]
    return workspace, ids


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_ranks_a_small_corpus_in_the_order_of_a_reference_bm25(corpus, query):
    workspace, ids = corpus
    terms = query.split()
    expected = reference_bm25(CORPUS, terms)
    ranked = lexical_scores(workspace=workspace, terms=terms, limit=20)
    assert [pid for pid, _ in ranked] == sorted(
        [ids[i] for i, score in enumerate(expected) if score > 0], key=lambda pid: (-expected[ids.index(pid)], pid)
    )
    for pid, score in ranked:
        assert score == pytest.approx(expected[ids.index(pid)], rel=1e-4)


def test_statistics_follow_deleted_documents_and_other_workspaces_do_not_count(corpus):
    workspace, ids = corpus
    other = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=other, position=1, text="Harbour harbour harbour ferry pier.")
    document_delete(document=other)
    # Another workspace's passages do not change this workspace's ranking on PostgreSQL; FTS5
    # counts its whole table, so the other workspace here shares no words with the corpus.
    DocumentPassageFactory(document=WorkspaceDocumentFactory(), text="Volcano lava basalt.")
    ranked = lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=20)
    expected = reference_bm25(CORPUS + ["volcano lava basalt"], ["harbour", "ferry"])[: len(CORPUS)]
    assert [pid for pid, _ in ranked] == sorted(
        [ids[i] for i, score in enumerate(expected) if score > 0], key=lambda pid: (-expected[ids.index(pid)], pid)
    )


def test_only_the_listed_passages_are_scored_when_asked(corpus):
    workspace, ids = corpus
    scored = dict(lexical_scores(workspace=workspace, terms=["harbour"], limit=20, passage_ids=[ids[1], ids[3]]))
    assert list(scored) == [ids[1]]


def test_a_small_workspace_gets_its_own_best_passages_even_when_another_fills_the_top_of_the_index():
    big, small = WorkspaceFactory(), WorkspaceFactory()
    crowded = WorkspaceDocumentFactory(workspace=big)
    DocumentPassageFactory.create_batch(
        250, document=crowded, position=factory.Sequence(lambda n: n + 1), text="Alpha alpha report."
    )
    quiet = WorkspaceDocumentFactory(workspace=small)
    mine = [
        DocumentPassageFactory(document=quiet, position=i, text=f"A long note {i} that mentions alpha once among "
                               "many other words about weather, trains, harbours and museums.").pk
        for i in (1, 2, 3)
    ]
    ranked = lexical_scores(workspace=small, terms=["alpha"], limit=2)
    assert len(ranked) == 2 and {pid for pid, _ in ranked} <= set(mine)


def _ranked_reference(texts, ids, terms, limit):
    expected = reference_bm25(texts, terms)
    ranked = sorted((pid for pid, score in zip(ids, expected, strict=True) if score > 0),
                    key=lambda pid: (-expected[ids.index(pid)], pid))
    return ranked[:limit], expected


# A port's notes: "ferry" in two passages of five (idf > 0), "harbour" in three of 51.
PORT_NOTES = [
    " ".join(["ferry"] * (1 + n % 3) if n % 5 < 2 else []) + " " + " ".join(
        ["museum", "lantern", "river", "festival", "tickets", "island"][: 2 + n % 5]
    ) + (" harbour" if n % 17 == 0 else "")
    for n in range(51)
]


@pytest.fixture
def port_notes():
    workspace = WorkspaceFactory()
    document = WorkspaceDocumentFactory(workspace=workspace)
    ids = [DocumentPassageFactory(document=document, position=i, text=text).pk
           for i, text in enumerate(PORT_NOTES, 1)]
    return workspace, ids


@pytest.fixture
def pruned(monkeypatch):
    """Rank as in a large workspace, rarer words first (a small one is ranked in one query)."""
    from workspaces.retrieval import bm25

    monkeypatch.setattr(bm25, "LARGE_WORKSPACE", 10)


@pytest.mark.parametrize("limit", [1, 2, 3, 20, 60])
def test_ranking_from_the_rarer_word_first_gives_the_order_of_scoring_every_passage(port_notes, pruned, limit):
    """"harbour" decides the top when few are asked for (the passages holding only "ferry" are
    never scored then); more than its three passages bring the "ferry" ones, in the same order."""
    workspace, ids = port_notes
    expected_order, expected = _ranked_reference(PORT_NOTES, ids, ["harbour", "ferry"], limit)
    ranked = lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=limit)
    assert [pid for pid, _ in ranked] == expected_order
    for pid, score in ranked:
        assert score == pytest.approx(expected[ids.index(pid)], rel=1e-4)


def test_listed_passages_get_the_score_the_ranking_gives_them(port_notes, pruned):
    workspace, ids = port_notes
    ranked = dict(lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=60))
    listed = [ids[0], ids[1], ids[17], ids[3], ids[4]]  # ids[3], ids[4]: neither word
    scored = dict(lexical_scores(workspace=workspace, terms=["harbour", "ferry"], limit=60, passage_ids=listed))
    assert set(scored) == {pid for pid in listed if pid in ranked}
    for pid, score in scored.items():
        assert score == pytest.approx(ranked[pid], rel=1e-9)


@pytest.mark.parametrize("repeated", [1, 2, 3, 40, 255])  # PostgreSQL keeps 255 positions a word
def test_a_word_repeated_in_a_passage_counts_every_time(repeated):
    texts = [" ".join(["lantern"] * repeated) + " festival", *CORPUS]
    workspace = WorkspaceFactory()
    document = WorkspaceDocumentFactory(workspace=workspace)
    ids = [DocumentPassageFactory(document=document, position=i, text=text).pk for i, text in enumerate(texts, 1)]
    ranked = dict(lexical_scores(workspace=workspace, terms=["lantern"], limit=5))
    expected = reference_bm25(texts, ["lantern"])
    assert ranked[ids[0]] == pytest.approx(expected[0], rel=1e-6)


def test_a_query_of_words_in_most_passages_of_a_large_workspace_ranks_the_newest_ones(port_notes, monkeypatch):
    """Words in half the passages or more weigh next to nothing (idf at its floor); in a large
    workspace only the newest passages holding them are ranked, best first."""
    from workspaces.retrieval import bm25

    workspace, ids = port_notes
    monkeypatch.setattr(bm25, "LARGE_WORKSPACE", 10)
    monkeypatch.setattr(bm25, "FLOOR_SCAN", 6)
    terms = ["museum", "lantern"]  # in every passage
    ranked = lexical_scores(workspace=workspace, terms=terms, limit=4)
    newest = ids[-6:]
    expected = reference_bm25(PORT_NOTES, terms)
    assert [pid for pid, _ in ranked] == sorted(newest, key=lambda pid: (-expected[ids.index(pid)], pid))[:4]


def test_statistics_stay_right_through_edits_moves_and_deletes_of_passages(corpus):
    """The index's statistics after passages are edited, moved to another document and deleted rank
    exactly as a reference BM25 over the texts as they now are (on PostgreSQL, the triggers' work)."""
    workspace, ids = corpus
    texts = list(CORPUS)
    DocumentPassage.objects.filter(pk=ids[0]).update(text="Harbour ferry tickets at the harbour kiosk.")
    texts[0] = "Harbour ferry tickets at the harbour kiosk."
    DocumentPassage.objects.filter(pk=ids[6]).update(document=WorkspaceDocumentFactory(workspace=workspace))
    DocumentPassage.objects.filter(pk=ids[3]).delete()
    kept = [i for i in range(len(CORPUS)) if i != 3]
    for query in QUERIES:
        terms = query.split()
        expected = reference_bm25([texts[i] for i in kept], terms)
        ranked = lexical_scores(workspace=workspace, terms=terms, limit=20)
        for pid, score in ranked:
            assert score == pytest.approx(expected[kept.index(ids.index(pid))], rel=1e-4), query
        assert {pid for pid, _ in ranked} == {ids[i] for n, i in enumerate(kept) if expected[n] > 0}
