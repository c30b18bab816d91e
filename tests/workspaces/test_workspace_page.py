import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, WorkspaceDocumentFactory, WorkspaceUserFactory
from workspaces.models import WorkspaceDocument

pytestmark = pytest.mark.django_db


def page(client, workspace, **params):
    return client.get(reverse("workspaces:detail", kwargs={"slug": workspace.slug}), params)


def listed_names(response):
    return re.findall(r'<td class="document-name">\s*<a href="[^"]+">([^<]+)</a>', response.content.decode())


def make_documents(workspace, names):
    now = timezone.now()
    documents = []
    for age, name in enumerate(names):
        document = WorkspaceDocumentFactory(workspace=workspace, filename=name)
        WorkspaceDocument.objects.filter(pk=document.pk).update(created_at=now - dt.timedelta(days=age))
        documents.append(document)
    return documents


def test_workspace_page_shows_name_members_documents_and_tabs(member_client, workspace):
    WorkspaceUserFactory(workspace=workspace, user=UserFactory(username="noor"))
    make_documents(workspace, ["plan.pdf", "notes.txt"])
    response = page(member_client, workspace)
    body = response.content.decode()
    assert "<h1>Research</h1>" in body
    assert "2 members · 2 documents" in body
    assert listed_names(response) == ["plan.pdf", "notes.txt"]
    assert f'href="/w/{workspace.slug}/" aria-current="page">Documents</a>' in body
    assert f'href="/w/{workspace.slug}/search/">Search</a>' in body


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-date", ["beta.txt", "Alpha.txt", "gamma.txt"]),
        ("date", ["gamma.txt", "Alpha.txt", "beta.txt"]),
        ("name", ["Alpha.txt", "beta.txt", "gamma.txt"]),
        ("-name", ["gamma.txt", "beta.txt", "Alpha.txt"]),
        ("nonsense", ["beta.txt", "Alpha.txt", "gamma.txt"]),
    ],
)
def test_documents_sort_by_name_or_date(member_client, workspace, sort, expected):
    make_documents(workspace, ["beta.txt", "Alpha.txt", "gamma.txt"])
    assert listed_names(page(member_client, workspace, sort=sort)) == expected


def test_documents_filter_by_file_name(member_client, workspace):
    make_documents(workspace, ["Budget 2024.xlsx.txt", "budget-notes.md", "minutes.txt"])
    response = page(member_client, workspace, q="BUDGET", sort="name")
    assert listed_names(response) == ["Budget 2024.xlsx.txt", "budget-notes.md"]
    nothing = page(member_client, workspace, q="zzz").content.decode()
    assert "No documents match “zzz”" in nothing
    assert "3 documents" in nothing


def test_documents_are_paginated_fifty_a_page(member_client, workspace):
    make_documents(workspace, [f"doc-{n:03}.txt" for n in range(55)])
    first = page(member_client, workspace, sort="name")
    assert len(listed_names(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = page(member_client, workspace, sort="name", page=2)
    assert listed_names(second) == [f"doc-{n:03}.txt" for n in range(50, 55)]
    assert "sort=name&amp;page=1" in second.content.decode()
    assert page(member_client, workspace, page="abc").status_code == 200


def test_empty_workspace_tells_an_uploader_to_upload(manager_client, workspace):
    body = page(manager_client, workspace).content.decode()
    assert "No documents yet" in body
    assert f'href="/w/{workspace.slug}/documents/upload/"' in body


def test_empty_workspace_tells_a_member_who_adds_documents(member_client, workspace):
    body = page(member_client, workspace).content.decode()
    assert "No documents yet" in body
    assert "Ask one of them" in body
    assert "/documents/upload/" not in body


def test_upload_button_follows_the_members_role(member_client, user, workspace):
    make_documents(workspace, ["a.txt"])
    assert "Upload documents" not in page(member_client, workspace).content.decode()
    user.memberships.update(role="editor")
    assert "Upload documents" in page(member_client, workspace).content.decode()


def test_file_names_with_markup_are_escaped_in_the_list(member_client, workspace):
    make_documents(workspace, ["<script>alert(1)</script>.txt"])
    body = page(member_client, workspace).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in body


def test_workspace_page_costs_a_fixed_number_of_queries(member_client, workspace, django_assert_max_num_queries):
    """Each row links with the workspace slug already in hand, not document.get_absolute_url()
    (an N+1 on document.workspace), and type/size come from the row's own metadata."""
    make_documents(workspace, [f"doc-{n}.txt" for n in range(60)])
    with django_assert_max_num_queries(7):
        response = page(member_client, workspace)
    assert len(listed_names(response)) == 50
    with django_assert_max_num_queries(9):
        assert page(member_client, workspace, q="doc", sort="name").status_code == 200


def test_the_list_shows_each_change_of_a_document_although_its_rows_are_cached(member_client, workspace):
    """The rows' HTML is cached under the list's version: every change a reader sees must change it."""
    (document,) = make_documents(workspace, ["plan.pdf"])
    WorkspaceDocument.objects.filter(pk=document.pk).update(status="extracting", progress_done=0, progress_total=0)
    assert "Reading" in page(member_client, workspace).content.decode()
    WorkspaceDocument.objects.filter(pk=document.pk).update(status="indexing")
    assert "Indexing" in page(member_client, workspace).content.decode()
    WorkspaceDocument.objects.filter(pk=document.pk).update(progress_total=12)
    assert "0/12 passages" in page(member_client, workspace).content.decode()
    WorkspaceUserFactory(workspace=workspace, user=UserFactory(username="noor"))
    assert "2 members · 1 document" in page(member_client, workspace).content.decode()


def test_a_document_gone_from_its_source_is_marked_in_the_list_although_its_rows_are_cached(member_client, workspace):
    from tests.factories import WorkspaceSourceFactory
    from workspaces.sources.items import item_gone
    from workspaces.sources.models import OnRemoval, SourceItem

    (document,) = make_documents(workspace, ["handbook.html"])
    WorkspaceDocument.objects.filter(pk=document.pk).update(metadata={"origin": {"url": "https://intranet.example/a"}})
    source = WorkspaceSourceFactory(workspace=workspace, on_removal=OnRemoval.KEEP)
    item = SourceItem.objects.create(source=source, key="https://intranet.example/a", document=document)
    assert "removed upstream" not in page(member_client, workspace).content.decode()
    assert item_gone(source=source, item=item)
    assert "removed upstream" in page(member_client, workspace).content.decode()
