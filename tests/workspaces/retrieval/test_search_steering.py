"""The search page a person steers: filters, spelling, phrases, pages beyond 50, every workspace."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from workspaces.retrieval.filters import SearchFilters
from workspaces.retrieval.forms import DATES_REVERSED, NOT_A_DATE
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db


def document(workspace, text, *, filename="notes.txt", content_type="text/plain", uploaded_by=None, created=None,
             heading_path=""):
    doc = WorkspaceDocumentFactory(
        workspace=workspace, filename=filename, uploaded_by=uploaded_by,
        metadata={"title": filename, "size": 10, "content_type": content_type},
    )
    if created:
        type(doc).objects.filter(pk=doc.pk).update(created_at=created)
    DocumentPassageFactory(document=doc, position=1, text=text, heading_path=heading_path)
    return doc


def search_url(workspace):
    return reverse("workspaces:search", kwargs={"slug": workspace.slug})


def shown_files(response):
    return re.findall(r'search-result-title" href="[^"]+">([^<]+)<', response.content.decode())


def at(day):
    return timezone.make_aware(datetime.datetime(2026, 3, day, 12, 0))


@pytest.fixture
def library(workspace, user):
    colleague = UserFactory(username="cleo")
    WorkspaceUserFactory(user=colleague, workspace=workspace, role="editor")
    return {
        "guide": document(workspace, "The budget guide explains the budget.", filename="guide.pdf",
                          content_type="application/pdf", uploaded_by=user, created=at(2)),
        "memo": document(workspace, "A memo about the budget for March.", filename="memo.docx",
                         content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         uploaded_by=colleague, created=at(10)),
        "notes": document(workspace, "Budget notes, plain text.", filename="notes.txt", uploaded_by=colleague,
                          created=at(20)),
        "colleague": colleague,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"guide.pdf", "memo.docx", "notes.txt"}),
        ({"kind": "pdf"}, {"guide.pdf"}),
        ({"kind": "docx"}, {"memo.docx"}),
        ({"since": "2026-03-10"}, {"memo.docx", "notes.txt"}),
        ({"until": "2026-03-10"}, {"guide.pdf", "memo.docx"}),
        ({"since": "2026-03-05", "until": "2026-03-15"}, {"memo.docx"}),
    ],
)
def test_filters_by_kind_and_upload_date_keep_only_those_documents(member_client, workspace, library, params,
                                                                    expected):
    response = member_client.get(search_url(workspace), {"q": "budget", **params})
    assert response.status_code == 200
    assert set(shown_files(response)) == expected


def test_filters_by_document_and_uploader(member_client, workspace, library):
    by_document = member_client.get(search_url(workspace), {"q": "budget", "document": library["memo"].doc_id})
    assert shown_files(by_document) == ["memo.docx"]
    by_uploader = member_client.get(search_url(workspace), {"q": "budget", "uploader": library["colleague"].pk})
    assert set(shown_files(by_uploader)) == {"memo.docx", "notes.txt"}


def test_a_workspace_with_more_documents_than_the_list_offers_still_filters_by_a_chosen_one(
    member_client, workspace, library, monkeypatch
):
    """Past DOCUMENT_CHOICES documents the list offers only "Any document" (and the one chosen,
    as "Find in document" or a shared link asks): thousands of options helped no one."""
    monkeypatch.setattr("workspaces.retrieval.views.DOCUMENT_CHOICES", 2)
    page = member_client.get(search_url(workspace), {"q": "budget"}).content.decode()
    assert "guide.pdf</option>" not in page and "memo.docx</option>" not in page
    chosen = member_client.get(search_url(workspace), {"q": "budget", "document": library["memo"].doc_id})
    assert shown_files(chosen) == ["memo.docx"]
    assert "memo.docx</option>" in chosen.content.decode() and "guide.pdf</option>" not in chosen.content.decode()
    assert member_client.get(search_url(workspace), {"q": "budget", "document": "not-a-document"}).status_code == 400


def test_a_filtered_search_ranks_within_the_filter_even_when_better_passages_lie_outside(workspace):
    """The ranking itself is limited to the documents kept, not the best hits cut afterwards."""
    for number in range(30):
        document(workspace, "budget " * 5 + f"item {number}", filename=f"big{number}.txt")
    kept = document(workspace, "One budget line.", filename="small.pdf", content_type="application/pdf")
    hits = search_passages(workspace=workspace, query="budget", limit=5, filters=SearchFilters(kind="pdf"))
    assert [hit.document_id for hit in hits] == [kept.pk]


def test_the_form_keeps_the_query_and_the_filters_in_the_page_links(member_client, workspace):
    for number in range(45):
        document(workspace, f"Budget line {number}.", filename=f"b{number:02}.pdf", content_type="application/pdf")
    body = member_client.get(search_url(workspace), {"q": "budget", "kind": "pdf"}).content.decode()
    assert 'value="budget"' in body and '<option value="pdf" selected>' in body
    assert "q=budget&amp;kind=pdf&amp;page=2" in body
    assert "Filters (on)" in body and "Clear filters" in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "exe"}, "is not one of them"),
        ({"document": "00000000-0000-0000-0000-000000000000"}, "is not one of them"),
        ({"document": "not-a-uuid"}, "is not one of them"),
        ({"uploader": "999999"}, "is not one of them"),
        ({"uploader": "x"}, "is not one of them"),
        ({"since": "2026-02-30"}, NOT_A_DATE),
        ({"until": "yesterday"}, NOT_A_DATE),
        ({"since": "2026-03-20", "until": "2026-03-01"}, DATES_REVERSED),
    ],
)
def test_a_bad_filter_value_is_an_inline_message_and_a_400(member_client, workspace, library, params, message):
    response = member_client.get(search_url(workspace), {"q": "budget", **params})
    assert response.status_code == 400
    body = response.content.decode()
    assert message.replace("“", "&ldquo;") in body or message in body
    assert 'class="field-error"' in body and shown_files(response) == []


def test_a_document_of_another_workspace_is_not_a_filter_choice(member_client, workspace, library):
    elsewhere = document(WorkspaceFactory(name="Other"), "Budget secrets.", filename="secret.txt")
    response = member_client.get(search_url(workspace), {"q": "budget", "document": elsewhere.doc_id})
    assert response.status_code == 400 and "secret.txt" not in response.content.decode()


def test_results_beyond_fifty_are_reachable_page_by_page(member_client, workspace):
    for number in range(75):
        document(workspace, f"Keyword in passage {number}.", filename=f"doc{number:02}.txt")
    seen = []
    for page in (1, 2, 3, 4):
        seen += shown_files(member_client.get(search_url(workspace), {"q": "keyword", "page": page}))
    assert len(seen) == len(set(seen)) == 75


def test_a_misspelt_search_shows_results_for_the_correction_and_offers_the_query_as_typed(member_client, workspace):
    document(workspace, "Reset your password from the account page.", filename="account.md")
    response = member_client.get(search_url(workspace), {"q": "pasword reset"})
    body = response.content.decode()
    assert shown_files(response) == ["account.md"]
    assert "Did you mean" in body and "pasword reset" in body

    typo_only = member_client.get(search_url(workspace), {"q": "pasword"})
    body = typo_only.content.decode()
    assert shown_files(typo_only) == ["account.md"]
    assert "Showing results for" in body and "<strong>password</strong>" in body
    assert "Search instead for" in body and "q=pasword&amp;exact=1" in body
    assert "<mark>password</mark>" in body

    as_typed = member_client.get(search_url(workspace), {"q": "pasword", "exact": "1"})
    assert shown_files(as_typed) == [] and "Did you mean" in as_typed.content.decode()


def test_a_quoted_phrase_never_matches_across_a_heading_and_the_text(workspace):
    document(workspace, "Leave requests go to your manager.", filename="across.md", heading_path="Annual")
    written = document(workspace, "Annual leave is 25 days.", filename="written.md")
    in_heading = document(workspace, "Ask early.", filename="heading.md", heading_path="Policies › Annual leave")
    hits = search_passages(workspace=workspace, query='"annual leave"', limit=10)
    assert {hit.document_id for hit in hits} == {written.pk, in_heading.pk}


def test_a_quoted_phrase_is_not_found_across_a_full_stop(workspace):
    document(workspace, "Ask for annual. Leave early on Fridays.", filename="stop.md")
    assert search_passages(workspace=workspace, query='"annual leave"', limit=10) == []


def test_a_quoted_phrase_is_highlighted_as_one(member_client, workspace):
    document(workspace, "The annual leave policy: annual bonus, and leave days.", filename="policy.md")
    body = member_client.get(search_url(workspace), {"q": '"annual leave"'}).content.decode()
    assert "<mark>annual leave</mark> policy" in body
    assert "<mark>annual</mark> bonus" in body


@pytest.mark.parametrize(("query", "shown"), [
    ('"annual leave"', "“annual leave”"), ('"annual leave" policy', "“&quot;annual leave&quot; policy”"),
    ('"annual" "leave"', "“&quot;annual&quot; &quot;leave&quot;”"),
])
def test_a_query_that_is_one_phrase_is_shown_in_one_pair_of_quotes(member_client, workspace, query, shown):
    document(workspace, "The annual leave policy: annual bonus, and leave days.", filename="policy.md")
    body = member_client.get(search_url(workspace), {"q": query}).content.decode()
    assert f"1 passage for {shown}" in body and f"<title>{shown} · " in body
    absent = {"annual": "yearly", "leave": "holiday", "policy": "rule"}
    nothing = member_client.get(search_url(workspace), {"q": _replaced(query, absent)}).content.decode()
    assert f"No passages match {_replaced(shown, absent)}" in nothing


def test_the_page_title_quotes_the_query_as_the_language_does(member_client, workspace):
    document(workspace, "The annual leave policy.", filename="policy.md")
    german = member_client.get(search_url(workspace), {"q": "leave"}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<title>„leave“ · " in german


def _replaced(text, replacements):
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


# The search across workspaces

def everywhere(client, **params):
    return client.get(reverse("search"), params)


@pytest.fixture
def two_workspaces(workspace, user):
    second = WorkspaceFactory(name="Finance")
    WorkspaceUserFactory(user=user, workspace=second, role="viewer")
    document(workspace, "Travel budget for the research trip.", filename="research-trip.md")
    document(second, "The annual budget of the finance team.", filename="finance-budget.md")
    document(WorkspaceFactory(name="Board"), "Confidential budget of the board.", filename="board-budget.md")
    return second


def test_the_search_across_workspaces_finds_each_ones_passages_and_names_it(member_client, two_workspaces):
    response = everywhere(member_client, q="budget")
    body = response.content.decode()
    assert set(shown_files(response)) == {"research-trip.md", "finance-budget.md"}
    assert "Research" in body and "Finance" in body
    assert "board-budget" not in body and "Board" not in body


def test_the_search_across_workspaces_offers_only_their_words_as_corrections(member_client, two_workspaces):
    response = everywhere(member_client, q="finanse")
    assert shown_files(response) == ["finance-budget.md"]
    assert "Showing results for" in response.content.decode()
    assert "Did you mean" not in everywhere(member_client, q="confidentail").content.decode()
    assert "confidential" not in everywhere(member_client, q="confidentail").content.decode()


def test_the_home_page_has_the_search_across_workspaces(member_client, workspace):
    body = member_client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in body


def test_the_search_across_workspaces_needs_a_signed_in_person(client):
    assert everywhere(client, q="budget").status_code == 302


def test_the_search_across_workspaces_filters_and_refuses_bad_values(member_client, two_workspaces):
    assert everywhere(member_client, q="budget", kind="pdf").status_code == 200
    assert shown_files(everywhere(member_client, q="budget", kind="pdf")) == []
    bad = everywhere(member_client, q="budget", since="soon")
    assert bad.status_code == 400 and NOT_A_DATE in bad.content.decode()


def test_the_search_across_workspaces_costs_a_fixed_number_of_queries_per_workspace(
    member_client, user, two_workspaces, django_assert_max_num_queries
):
    """Each workspace is ranked with a fixed number of queries, whatever the number of hits or the
    page shown: the hits of a page are not fetched one by one, nor their workspaces."""
    third = WorkspaceFactory(name="Legal")
    WorkspaceUserFactory(user=user, workspace=third)
    for workspace in [third, two_workspaces]:
        for number in range(25):
            document(workspace, f"Budget item {number}.", filename=f"{workspace.slug}-{number}.md")
    # Session and user 3, settings 1, the workspaces 1, the uploaders 1, the spelling check of the
    # words 1, a word's count 1; then per workspace 1 (its passages): this host's
    # search index ranks (the first search built one for each workspace).
    everywhere(member_client, q="budget")
    for page in (1, 3):
        with django_assert_max_num_queries(3 + 1 + 1 + 1 + 1 + 1 + 1 * 3):
            response = everywhere(member_client, q="budget", page=page)
        assert len(shown_files(response)) > 0
