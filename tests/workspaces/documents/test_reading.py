"""Reading, as a member does: the document page, search results and citations that locate."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.workspaces.chats.asking import ask, chat_url
from tests.workspaces.documents.sample_files import (
    GUIDE_MD,
    REVENUE_CSV,
    SITES_HTML,
    handbook_pdf_bytes,
    policy_docx_bytes,
    words,
)
from workspaces.chats.answer import StoredAnswer
from workspaces.chats.export import chat_export_row
from workspaces.documents.ingestion import MISSING_FILE, REINDEX_FAILED
from workspaces.documents.services import document_ingest, documents_reindex
from workspaces.models import DocumentPassage, WorkspaceChat
from workspaces.retrieval.search import search_passages

pytestmark = pytest.mark.django_db


def ingest(workspace, name, data):
    content = data.encode() if isinstance(data, str) else data
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(content, name=name), filename=name)


def page_of(client, document, **params):
    return client.get(document.get_absolute_url(), params).content.decode()


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_ingested_pdf_stores_each_passage_with_its_pages_heading_path_and_blocks(workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    rows = list(document.passages.values_list("position", "heading_path", "page_start", "page_end", "word_count"))
    assert rows[2] == (3, "Employee handbook › Leave › Annual leave", 2, 2, 24)
    assert document.metadata["title"] == "Employee handbook"
    third = document.passages.get(position=3)
    assert [block["kind"] for block in third.blocks] == ["page_break", "heading", "paragraph", "paragraph"]


def test_the_pdf_page_reads_once_with_its_headings_and_page_markers(member_client, workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    body = page_of(member_client, document)
    assert '<h2 class="doc-heading">Employee handbook</h2>' in body
    assert '<h4 class="doc-heading">Annual leave</h4>' in body
    assert body.count("Page 2</span>") == 1
    text = text_of(body)
    assert text.count("Full-time staff receive twenty-eight days") == 1
    assert "line manager" in text and "ACME Corp" not in text
    assert 'id="p3"' in body


def test_the_word_page_shows_its_table_between_the_paragraphs_around_it(member_client, workspace):
    document = ingest(workspace, "policy.docx", policy_docx_bytes())
    body = page_of(member_client, document)
    table = body.index('<th scope="col">City</th>')
    assert body.index("under four hours") < table < body.index("Allowances cover meals")
    assert "<td>Paris</td><td>95 EUR</td>" in body
    assert '<ul><li class="level-0">Receipts for taxis</li><li class="level-0">Receipts for hotels</li></ul>' in body


def test_the_markdown_page_renders_table_code_and_list_not_raw_marks(member_client, workspace):
    document = ingest(workspace, "guide.md", GUIDE_MD)
    body = page_of(member_client, document)
    assert '<th scope="col">Revenue</th>' in body and "<td>March</td><td>280</td>" in body
    assert "<pre><code>def hello():\n    print(&quot;hi&quot;)</code></pre>" in body
    assert "<ol><li" in body
    assert "**" not in body and "|-------|" not in body


def test_the_html_and_csv_pages_render_their_tables_cell_by_cell(member_client, workspace):
    sites = page_of(member_client, ingest(workspace, "sites.html", SITES_HTML))
    assert "<td>280 BC</td><td>Construction</td>" in sites and "track()" not in sites
    revenue = page_of(member_client, ingest(workspace, "revenue.csv", REVENUE_CSV))
    assert '<th scope="col">Month</th><th scope="col">Revenue</th>' in revenue
    assert "<td>March</td><td>280</td><td>South</td>" in revenue


def test_no_passage_text_appears_twice_on_the_page_of_a_long_paragraph(member_client, workspace):
    document = ingest(workspace, "long.txt", words(450))
    assert document.passages.count() == 3
    text = text_of(page_of(member_client, document))
    for number in (1, 200, 201, 240, 450):
        assert len(re.findall(rf"\bword{number}\b", text)) == 1


def test_a_passage_link_with_a_query_opens_the_passage_lit_up_with_the_words_marked(member_client, workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    link = reverse("workspaces:passage", kwargs={"slug": workspace.slug, "doc_id": document.doc_id, "position": 3})
    response = member_client.get(link, {"q": "annual leave <b>"})
    assert response["Location"].endswith("?page=1&passage=3&q=annual+leave+%3Cb%3E#p3")
    body = member_client.get(response["Location"]).content.decode()
    assert 'class="passage is-cited" id="p3"' in body
    assert "<mark>annual</mark> <mark>leave</mark>" in body
    before, cited = body.split('id="p3"')
    cited, after = cited.split('id="p4"')
    assert "<mark>" not in before and "<mark>" not in after  # only the cited passage is marked
    assert "<b>" not in cited


def test_a_passage_opened_from_a_phrase_search_marks_the_phrase_as_one(member_client, workspace):
    document = ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    link = reverse("workspaces:passage", kwargs={"slug": workspace.slug, "doc_id": document.doc_id, "position": 3})
    body = member_client.get(link, {"q": '"annual leave"'}, follow=True).content.decode()
    assert "<mark>annual leave</mark>" in body.lower()


def test_search_finds_a_passage_by_the_heading_it_sits_under(workspace):
    document = ingest(workspace, "atlas.md", "# Zanzibar\n\n" + words(150, "alpha") + "\n\n" + words(150, "beta"))
    positions = [hit.position for hit in search_passages(workspace=workspace, query="zanzibar")]
    assert sorted(positions) == [1, 2]
    assert "Zanzibar" not in document.passages.get(position=2).text


def test_a_quoted_phrase_matches_only_passages_holding_the_words_together(workspace):
    ingest(workspace, "a.txt", "Annual leave is granted in spring.")
    ingest(workspace, "b.txt", "Leave the annual report on the desk.")
    assert {hit.filename for hit in search_passages(workspace=workspace, query="annual leave")} == {"a.txt", "b.txt"}
    assert [hit.filename for hit in search_passages(workspace=workspace, query='"annual leave"')] == ["a.txt"]


def test_search_results_name_page_and_section_and_group_one_places_passages(member_client, workspace):
    ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    ingest(workspace, "atlas.md", "# Lighthouse\n\n" + " ".join(["lighthouse keeper"] * 120))
    body = member_client.get(reverse("workspaces:search", kwargs={"slug": workspace.slug}),
                             {"q": "annual leave lighthouse"}).content.decode()
    assert "p. 2 · Annual leave" in body
    assert body.count('class="card search-result"') == 3  # atlas.md's two passages are one result
    assert "Also here:" in body and "passage 2</a>" in body
    assert "?q=annual+leave+lighthouse" in body


def test_a_cited_answer_names_the_page_and_section_in_the_chat_and_the_export(member_client, workspace):
    ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    ask(member_client, workspace, "How many days of annual leave do full-time staff receive?")
    chat = WorkspaceChat.objects.get()
    first = chat.answer.sources[0]
    assert (first.page_start, first.section, first.label) == (2, "Annual leave", "handbook.pdf, p. 2 · Annual leave")
    page = member_client.get(chat_url(workspace)).content.decode()
    assert "handbook.pdf</a><span class=\"muted\">, p. 2 · Annual leave</span>" in page
    assert chat_export_row(chat)["sources"].startswith("handbook.pdf, p. 2 · Annual leave #3")


def test_an_answer_stored_before_pages_and_sections_reads_with_empty_ones():
    answer = StoredAnswer.from_json({"sources": [{"doc_id": "x", "filename": "old.txt", "position": 2}]})
    (source,) = answer.sources
    assert (source.page_start, source.section, source.location, source.label) == (None, "", "", "old.txt")


def reindex(document):
    documents_reindex(documents=type(document).objects.filter(pk=document.pk))
    document.refresh_from_db()


def test_re_indexing_rebuilds_old_passages_from_the_stored_file_and_is_idempotent(workspace):
    document = ingest(workspace, "guide.md", GUIDE_MD)
    expected = list(document.passages.values_list("position", "text", "heading_path", "blocks"))
    document.passages.all().delete()
    DocumentPassage.objects.create(document=document, position=1, text="# Install guide\n\nRun the **installer**")
    reindex(document)
    reindex(document)
    assert list(document.passages.values_list("position", "text", "heading_path", "blocks")) == expected
    assert [hit.position for hit in search_passages(workspace=workspace, query="twice")] == [1]


def test_re_indexing_without_the_stored_file_fails_and_keeps_the_passages(workspace):
    document = ingest(workspace, "guide.md", GUIDE_MD)
    default_storage.delete(document.docpath)
    reindex(document)
    assert document.status == "ready" and not document.reindexing
    assert document.status_reason == REINDEX_FAILED.format(reason=MISSING_FILE)
    assert document.passages.count() == 3


def test_a_passage_made_before_blocks_shows_its_paragraphs(member_client, workspace):
    document = ingest(workspace, "old.txt", "placeholder")
    document.passages.update(text="First old paragraph.\n\nSecond old paragraph.", blocks=[])
    body = page_of(member_client, document)
    assert "<p>First old paragraph.</p>" in body and "<p>Second old paragraph.</p>" in body


def test_a_question_about_a_markdown_table_row_is_answered_by_that_row(workspace):
    from workspaces.chats.answering import answer

    ingest(workspace, "travel.md", (
        "# Travel\n\nExpense reports are due on the fifth working day of the month.\n\n"
        "| Item | Limit |\n|---|---|\n| Hotel | 150 EUR a night |\n| Meals | 40 EUR a day |\n"
    ))
    reply = answer(workspace=workspace, prompt="What is the hotel limit?", history=[])
    assert reply.text.split("\n\n")[1] == "> Item: Hotel; Limit: 150 EUR a night [1]"
    assert "Expense reports" not in reply.text
