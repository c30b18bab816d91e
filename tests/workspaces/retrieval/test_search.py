import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.documents.services import document_delete
from workspaces.models import DocumentPassage
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import query_terms, weighted_coverage, word_start
from workspaces.retrieval.results import SEARCH_RESULTS
from workspaces.retrieval.search import PassageHit, search_passages
from workspaces.retrieval.views import PLACES_PER_PAGE

pytestmark = pytest.mark.django_db


def passage(workspace, text, *, filename="notes.txt", position=1):
    document = WorkspaceDocumentFactory(workspace=workspace, filename=filename)
    return DocumentPassageFactory(document=document, position=position, text=text)


def search_url(workspace):
    return reverse("workspaces:search", kwargs={"slug": workspace.slug})


def search_page(client, workspace, query):
    return client.get(search_url(workspace), {"q": query})


def test_hits_are_ranked_and_the_best_scores_one(workspace):
    once = passage(workspace, "The invoice arrived on Monday with the other mail.", filename="once.txt")
    often = passage(workspace, "Invoice rules: every invoice needs a number; an invoice without one is refused.",
                    filename="often.txt")
    passage(workspace, "Nothing about billing here at all.", filename="none.txt")
    hits = search_passages(workspace=workspace, query="invoice", limit=10)
    assert [hit.passage_id for hit in hits] == [often.pk, once.pk]
    assert hits[0].score == 1.0
    assert 0 < hits[1].score < 1.0
    assert hits[0].rank > hits[1].rank > 0
    best = hits[0]
    assert isinstance(best, PassageHit)
    assert (best.document_id, best.doc_id, best.filename, best.position) == (
        often.document_id, often.document.doc_id, "often.txt", 1
    )
    assert best.text == often.text
    assert best.get_absolute_url() == reverse(
        "workspaces:passage", kwargs={"slug": workspace.slug, "doc_id": often.document.doc_id, "position": 1}
    )


def test_passages_with_more_of_the_words_rank_higher(workspace):
    one_word = passage(workspace, "Quarterly figures are attached below.", filename="a.txt")
    both_words = passage(workspace, "The quarterly revenue figures grew.", filename="b.txt")
    hits = search_passages(workspace=workspace, query="quarterly revenue", limit=10)
    assert [hit.passage_id for hit in hits] == [both_words.pk, one_word.pk]


def test_words_match_in_any_form(workspace):
    found = passage(workspace, "She was reporting on the quarterly reports.")
    assert [hit.passage_id for hit in search_passages(workspace=workspace, query="report", limit=5)] == [found.pk]


def test_search_never_returns_another_workspaces_passages(workspace):
    passage(WorkspaceFactory(name="Other"), "Confidential merger plans.")
    mine = passage(workspace, "Public merger rumours.")
    assert [hit.passage_id for hit in search_passages(workspace=workspace, query="merger", limit=10)] == [mine.pk]


def test_limit_caps_the_number_of_hits(workspace):
    for number in range(5):
        passage(workspace, f"Budget line {number}", filename=f"b{number}.txt")
    assert len(search_passages(workspace=workspace, query="budget", limit=3)) == 3
    assert search_passages(workspace=workspace, query="budget", limit=0) == []


@pytest.mark.parametrize(
    ("query", "expected_hits"),
    [('"', 0), ("*", 0), ("OR", 0), ("NEAR(", 0), ("", 0), ("   ", 0), ("AND OR NOT", 0), ("^", 0), ("-", 0),
     ("(((", 0), ("'", 0), ("\x00", 0), ("🙂", 0), ("the of and", 0), ("text:foo", 1), ('a"foo', 1),
     ("NEAR(foo bar, 3)", 1), ("-foo", 1), ("foo*", 1), ("x" * 5000, 0), (" ".join(["foo"] * 500), 1)],
)
def test_no_query_breaks_the_search(workspace, query, expected_hits):
    passage(workspace, "Ordinary words about foo and text.")
    assert len(search_passages(workspace=workspace, query=query, limit=5)) == expected_hits


def test_operators_in_a_query_are_plain_words_or_ignored(workspace):
    found = passage(workspace, "Contracts signed near the border.")
    hits = search_passages(workspace=workspace, query='NEAR("contracts" border) OR *', limit=5)
    assert [hit.passage_id for hit in hits] == [found.pk]


def test_sql_in_a_query_is_just_words(workspace):
    passage(workspace, "Drop the table by the window.")
    hits = search_passages(workspace=workspace, query="'; DROP TABLE document_passages; --", limit=5)
    assert len(hits) == 1
    assert DocumentPassage.objects.count() == 1


def test_query_terms_drop_operators_punctuation_and_common_words():
    assert query_terms('What is the "refund" policy OR near(returns)*?') == ["refund", "policy", "returns"]
    assert query_terms("the and of") == []


def test_the_index_follows_edits_and_deletions(workspace, django_capture_on_commit_callbacks):
    item = passage(workspace, "The old wording.")
    item.text = "The brand new wording."
    item.save()
    assert search_passages(workspace=workspace, query="old", limit=5) == []
    assert len(search_passages(workspace=workspace, query="brand", limit=5)) == 1
    document_delete(document=item.document)
    assert search_passages(workspace=workspace, query="brand", limit=5) == []


def test_the_full_text_index_exists_for_the_database_in_use():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'document_passages'")
            assert {row[0] for row in cursor.fetchall()} == {
                "document_passages_fts_insert", "document_passages_fts_delete", "document_passages_fts_update"
            }
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'document_passages_search_vector'")
            assert "gin (search_vector)" in cursor.fetchone()[0]


def test_highlight_escapes_the_text_before_marking_the_words():
    marked = highlight("<script>alert('report')</script> Reporting & reports", ["reports"])
    assert str(marked) == (
        "&lt;script&gt;alert(&#x27;<mark>report</mark>&#x27;)&lt;/script&gt; "
        "<mark>Reporting</mark> &amp; <mark>reports</mark>"
    )


def test_highlight_keeps_an_excerpt_around_the_first_match():
    text = " ".join(["filler"] * 100 + ["needle"] + ["tail"] * 100)
    excerpt = str(highlight(text, ["needle"], context_words=30))
    assert excerpt.startswith("… filler") and excerpt.endswith("tail …")
    assert "<mark>needle</mark>" in excerpt
    assert len(excerpt.split()) < 40


def test_search_page_lists_ranked_passages_with_highlights_and_links(member_client, workspace):
    item = passage(workspace, "The travel policy covers trains <script>alert(1)</script>.", filename="policy.md")
    body = search_page(member_client, workspace, "travel").content.decode()
    assert "<mark>travel</mark> policy" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert item.document.passage_url(1) in body
    assert "policy.md" in body
    assert 'aria-current="page">Search</a>' in body


def test_search_page_says_what_to_do_when_nothing_matches(member_client, workspace):
    passage(workspace, "Some text.")
    assert "Search this workspace" in search_page(member_client, workspace, "").content.decode()
    assert "Try other or fewer words" in search_page(member_client, workspace, "zebra").content.decode()
    common = search_page(member_client, workspace, '"OR the"')
    assert common.status_code == 200
    assert "Very common words" in common.content.decode()


def test_search_page_costs_a_fixed_number_of_queries(member_client, workspace, django_assert_max_num_queries):
    """Hits come from one query that joins passage and document, so listing a page of hits
    does not fetch each hit's document (or workspace) on its own, on the first page or a later one;
    the filters' choices (documents, uploaders) are one query each, the spelling check one.
    Ranking costs none: this host's search index ranks (its first search built it), and the
    workspace row the page reads says the index is new enough. 13 queries before the index, 7 now."""
    for number in range(70):
        passage(workspace, f"Shared keyword in passage {number}.", filename=f"doc{number}.txt")
    member_client.get(search_url(workspace), {"q": "keyword"})
    for page, shown in ((1, PLACES_PER_PAGE), (4, 70 - 3 * PLACES_PER_PAGE)):
        with django_assert_max_num_queries(7):
            response = member_client.get(search_url(workspace), {"q": "keyword", "page": page})
        assert response.content.decode().count("<mark>keyword</mark>") == shown


def shown_files(response):
    return re.findall(r'search-result-title" href="[^"]+">([^<]+)<', response.content.decode())


def test_search_results_come_a_page_at_a_time_in_the_order_of_one_ranking(member_client, workspace):
    for number in range(45):
        passage(workspace, f"Keyword {'keyword ' * (number % 7)}in passage {number}.", filename=f"doc{number:02}.txt")
    ranking = [hit.filename for hit in search_passages(workspace=workspace, query="keyword", limit=SEARCH_RESULTS)]
    pages = [member_client.get(search_url(workspace), {"q": "keyword", "page": page}) for page in (1, 2, 3)]
    assert [name for page in pages for name in shown_files(page)] == ranking
    first, last = pages[0].content.decode(), pages[2].content.decode()
    assert "Page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 3 of 3" in last and 'rel="prev"' in last and 'rel="next"' not in last
    assert "q=keyword&amp;page=2" in first


@pytest.mark.parametrize(("page", "shown"), [
    ("4", 3), ("99999999999999999999", 3), ("0", 3), ("-1", 3), ("abc", 1), ("²", 1), ("1.5", 1), ("", 1),
])
def test_a_page_of_results_that_does_not_exist_shows_the_nearest_one(member_client, workspace, page, shown):
    """As every list of the site (Django's `Paginator.get_page`): past the end, the last; not a number, the first."""
    for number in range(45):
        passage(workspace, f"Keyword in passage {number}.", filename=f"doc{number:02}.txt")
    response = member_client.get(search_url(workspace), {"q": "keyword", "page": page})
    assert response.status_code == 200 and response.context["page_obj"].number == shown


def test_one_place_is_never_split_across_pages(member_client, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="long.txt")
    for position in range(1, 31):
        DocumentPassageFactory(document=document, position=position, text=f"Keyword, part {position}.")
    response = search_page(member_client, workspace, "keyword")
    body = response.content.decode()
    assert shown_files(response) == ["long.txt"] and "in 1 place." in body and "Page 1 of" not in body


def test_every_passage_with_a_searched_word_is_ranked_and_the_rare_word_ranks_first(workspace):
    """No sampling: all of a common word's passages are ranked (after the rare word's), on both databases."""
    document = WorkspaceDocumentFactory(workspace=workspace)
    for position in range(1, 11):
        DocumentPassageFactory(document=document, position=position, text=f"Alpha report number {position}.")
    DocumentPassageFactory(document=document, position=11, text="Alpha report about the zebra crossing.")
    for position in range(12, 24):
        DocumentPassageFactory(document=document, position=position, text=f"Nothing to see here, {position}.")
    hits = search_passages(workspace=workspace, query="alpha zebra", limit=20)
    assert hits[0].position == 11
    assert sorted(hit.position for hit in hits) == list(range(1, 12))


@pytest.mark.parametrize("text, found", [
    ("the harbours at dawn", True), ("harbour", True), ("(harbour)", True), ("north_harbour", True),
    ("1 harbour", True), ("seaharbour", False), ("éharbour", False), ("9harbour", False), ("harbo", True),
    ("harb", False), ("", False),
])
def test_a_word_start_is_the_prefix_at_the_start_of_a_word(text, found):
    assert bool(word_start("harbo").search(text)) is found


def test_coverage_weighs_the_words_a_passage_holds_by_their_stem():
    weights = {"harbours": 3.0, "museum": 1.0}
    assert weighted_coverage(weights, "The HARBOUR by the Museums.") == 1.0
    assert weighted_coverage(weights, "A museum far inland.") == 0.25
    assert weighted_coverage(weights, "A seaharbour and an amuseum.") == 0.0
