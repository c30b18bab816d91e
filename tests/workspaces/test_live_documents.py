"""The documents list keeps itself live: the page's script asks the list endpoint, which answers
304 while nothing changed and the new list (table, count, empty state) once something did."""

import pytest

from tests.factories import WorkspaceDocumentFactory
from workspaces.documents.models import WorkspaceDocument

pytestmark = pytest.mark.django_db


def list_url(workspace, query=""):
    return f"/w/{workspace.slug}/documents/list/{query}"


def test_the_page_names_the_list_endpoint_and_its_version(member_client, workspace):
    response = member_client.get(f"/w/{workspace.slug}/?sort=name")
    body = response.content.decode()
    assert f'data-live-list="{list_url(workspace, "?sort=name")}"' in body
    version = body.split('data-live-version="')[1].split('"')[0].replace("&quot;", '"')
    unchanged = member_client.get(list_url(workspace, "?sort=name"), headers={"if-none-match": version})
    assert unchanged.status_code == 304


def test_a_finished_upload_replaces_the_empty_state_with_the_table_and_count(member_client, workspace):
    empty = member_client.get(list_url(workspace))
    assert "No documents yet" in empty.content.decode()
    version = empty["ETag"]
    assert member_client.get(list_url(workspace), headers={"if-none-match": version}).status_code == 304

    document = WorkspaceDocumentFactory(workspace=workspace, filename="plan.pdf", status="processing")
    busy = member_client.get(list_url(workspace), headers={"if-none-match": version})
    assert busy.status_code == 200 and "plan.pdf" in busy.content.decode()
    assert '1 member · 1 document"' in busy.content.decode()

    WorkspaceDocument.objects.filter(pk=document.pk).update(status="ready")  # as ingestion's last update does
    done = member_client.get(list_url(workspace), headers={"if-none-match": busy["ETag"]})
    assert done.status_code == 200 and "doc-status-ready" in done.content.decode()
    assert "No documents yet" not in done.content.decode()


def test_the_list_endpoint_costs_a_fixed_number_of_queries(member_client, workspace, django_assert_max_num_queries):
    """Unchanged: the version alone; changed: one page of documents, not a query per row."""
    WorkspaceDocumentFactory.create_batch(3, workspace=workspace)
    version = member_client.get(list_url(workspace))["ETag"]
    with django_assert_max_num_queries(5):
        assert member_client.get(list_url(workspace), headers={"if-none-match": version}).status_code == 304
    WorkspaceDocumentFactory.create_batch(30, workspace=workspace)
    with django_assert_max_num_queries(9):
        body = member_client.get(list_url(workspace)).content.decode()
    assert body.count('class="document-name"') == 33


def test_the_list_endpoint_answers_only_members(client, other_user, workspace):
    client.force_login(other_user)
    assert client.get(list_url(workspace)).status_code == 404


def test_the_lists_totals_are_the_aggregate_djangos_orm_gives(workspace):
    """document_totals is written out in SQL (compiling the aggregate cost more than running it):
    the same counts and sums, and a last change that moves when a document changes."""
    from django.db.models import Count, Q, Sum

    from workspaces.documents.models import DocumentStatus
    from workspaces.views import document_totals

    assert document_totals(workspace) == {"count": 0, "changed": None, "reindexing": 0, "progress": None,
                                          "progress_total": None, **dict.fromkeys(DocumentStatus.values, 0)}
    for number, status in enumerate(["ready", "ready", "indexing", "failed", "queued", "extracting"]):
        WorkspaceDocumentFactory(workspace=workspace, status=status, reindexing=number == 1,
                                 progress_done=number, progress_total=2 * number)
    WorkspaceDocumentFactory(status="ready")  # another workspace's
    expected = workspace.documents.order_by().aggregate(
        count=Count("pk"), reindexing=Count("pk", filter=Q(reindexing=True)), progress=Sum("progress_done"),
        progress_total=Sum("progress_total"),
        **{status: Count("pk", filter=Q(status=status)) for status in DocumentStatus.values},
    )
    totals = document_totals(workspace)
    assert {key: value for key, value in totals.items() if key != "changed"} == expected
    assert totals["count"] == 6 and totals["ready"] == 2 and totals["reindexing"] == 1 and totals["changed"]
    document = workspace.documents.get(status="queued")
    document.filename = "renamed.pdf"  # no count changes: only the last change moves
    document.save()
    assert document_totals(workspace)["changed"] != totals["changed"]
