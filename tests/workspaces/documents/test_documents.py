import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.workspaces.documents.sample_files import stored_files, words
from workspaces.documents.services import document_ingest
from workspaces.models import DocumentPassage, WorkspaceDocument

pytestmark = pytest.mark.django_db


def ingest(workspace, name="handbook.txt", text=None):
    return document_ingest(
        workspace=workspace, uploaded_file=ContentFile((text or words(300)).encode(), name=name), filename=name
    )


def with_passages(workspace, count, word_count=1000, **document_fields):
    document = WorkspaceDocumentFactory(workspace=workspace, **document_fields)
    for position in range(1, count + 1):
        DocumentPassageFactory(
            document=document, position=position, text=f"Passage text number {position}.", word_count=word_count
        )
    return document


def document_url(document, name="workspaces:document"):
    return reverse(name, kwargs={"slug": document.workspace.slug, "doc_id": document.doc_id})


def test_document_page_shows_metadata_and_passages_with_anchors(member_client, workspace):
    document = ingest(workspace)
    body = member_client.get(document_url(document)).content.decode()
    assert "handbook.txt" in body
    assert "300" in body  # words
    assert 'id="p1"' in body and 'id="p2"' in body
    assert document.metadata["sha256"][:16] in body
    assert document_url(document, "workspaces:download") in body


def test_a_long_document_is_paginated_by_a_few_thousand_words_between_passages(member_client, workspace):
    document = with_passages(workspace, 10)  # 1,000 words each: three passages a page
    body = member_client.get(document_url(document) + "?page=2").content.decode()
    assert 'id="p4"' in body and 'id="p6"' in body and 'id="p3"' not in body and 'id="p7"' not in body
    assert "Part 2 of 4" in body
    last = member_client.get(document_url(document) + "?page=999").content.decode()
    assert 'id="p10"' in last


def test_a_passage_link_redirects_to_its_page_and_anchor(member_client, workspace):
    document = with_passages(workspace, 10)
    url = reverse(
        "workspaces:passage", kwargs={"slug": workspace.slug, "doc_id": document.doc_id, "position": 8}
    )
    response = member_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{document_url(document)}?page=3&passage=8#p8"
    assert document.passage_url(8) == url
    missing = reverse(
        "workspaces:passage", kwargs={"slug": workspace.slug, "doc_id": document.doc_id, "position": 11}
    )
    assert member_client.get(missing).status_code == 404


def test_a_passage_address_is_the_one_reverse_gives_under_any_script_prefix(workspace):
    """Pages fill passage addresses in from one reversed pattern: they must stay the reversed ones."""
    from django.urls import set_script_prefix

    from workspaces.documents.models import passage_url

    document = WorkspaceDocumentFactory(workspace=workspace)
    for prefix in ("/", "/docent/"):
        set_script_prefix(prefix)
        try:
            for position in (1, 42):
                where = {"slug": workspace.slug, "doc_id": document.doc_id, "position": position}
                expected = reverse("workspaces:passage", kwargs=where)
                assert expected.startswith(prefix)
                assert passage_url(workspace_slug=workspace.slug, doc_id=document.doc_id, position=position) == expected
                assert passage_url(workspace_slug=workspace.slug, doc_id=str(document.doc_id), position=position) == (
                    expected
                )
        finally:
            set_script_prefix("/")


def test_markup_in_a_document_is_shown_as_text(member_client, workspace):
    document = ingest(
        workspace, name="<img src=x onerror=alert(1)>.txt", text="Before <script>alert('owned')</script> after."
    )
    body = member_client.get(document_url(document)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;.txt" in body


def test_document_page_costs_a_fixed_number_of_queries(member_client, workspace, django_assert_max_num_queries):
    """The page's passages come in one query (after one for the page ranges), not one per passage."""
    document = with_passages(workspace, 60, word_count=20)
    with django_assert_max_num_queries(8):
        response = member_client.get(document_url(document))
    assert response.status_code == 200
    assert 'id="p20"' in response.content.decode()


def test_download_sends_the_original_as_an_attachment(member_client, workspace):
    document = ingest(workspace, name='Résumé "final".txt', text="Original bytes here.")
    response = member_client.get(document_url(document, "workspaces:download"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Original bytes here."
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''R%C3%A9sum%C3%A9%20%22final%22.txt" in disposition
    assert response["Content-Type"].startswith("text/plain")


def test_download_is_a_404_for_a_non_member(client, other_user, workspace):
    document = ingest(workspace)
    client.force_login(other_user)
    assert client.get(document_url(document, "workspaces:download")).status_code == 404


def test_download_of_a_missing_stored_file_is_a_404_not_a_500(member_client, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace)
    assert member_client.get(document_url(document, "workspaces:download")).status_code == 404


def test_delete_button_shows_only_to_admins_and_managers(client, user, manager_user, workspace):
    document = ingest(workspace)
    delete_url = document_url(document, "workspaces:document_delete")
    client.force_login(manager_user)
    assert delete_url in client.get(document_url(document)).content.decode()
    client.force_login(user)
    assert delete_url not in client.get(document_url(document)).content.decode()


def test_manager_deletes_a_document_after_confirming(
    manager_client, workspace, django_capture_on_commit_callbacks
):
    document = ingest(workspace)
    delete_url = document_url(document, "workspaces:document_delete")
    confirm = manager_client.get(delete_url)
    assert confirm.status_code == 200
    assert "Delete this document?" in confirm.content.decode() and "2 passages" in confirm.content.decode()
    assert stored_files() == [document.docpath]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == workspace.get_absolute_url()
    assert not WorkspaceDocument.objects.exists()
    assert not DocumentPassage.objects.exists()
    assert stored_files() == []
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DELETED, username="max").exists()


def test_member_may_not_delete_a_document(member_client, workspace):
    document = ingest(workspace)
    delete_url = document_url(document, "workspaces:document_delete")
    assert member_client.get(delete_url).status_code == 403
    assert member_client.post(delete_url).status_code == 403
    assert WorkspaceDocument.objects.count() == 1 and stored_files() == [document.docpath]


def test_deleting_in_the_admin_removes_the_stored_file(admin_client, workspace, django_capture_on_commit_callbacks):
    document = ingest(workspace)
    url = reverse("admin:workspaces_workspacedocument_delete", args=[document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not WorkspaceDocument.objects.exists()
    assert stored_files() == []


def test_bulk_delete_in_the_admin_removes_every_stored_file(
    admin_client, workspace, django_capture_on_commit_callbacks
):
    documents = [ingest(workspace, name=f"d{n}.txt", text=f"Document number {n}") for n in range(3)]
    keep = ingest(workspace, name="keep.txt", text="Keep me")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workspaces_workspacedocument_changelist"),
            {"action": "delete_selected", "_selected_action": [d.pk for d in documents], "post": "yes"},
        )
    assert response.status_code == 302
    assert list(WorkspaceDocument.objects.all()) == [keep]
    assert stored_files() == [keep.docpath]


def test_deleting_a_workspace_in_the_admin_removes_its_documents_files(
    admin_client, workspace, other_user, django_capture_on_commit_callbacks
):
    ingest(workspace, name="a.txt", text="First document")
    ingest(workspace, name="b.txt", text="Second document")
    elsewhere = ingest(other_user.workspaces.get(), name="keep.txt", text="Another workspace")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:workspaces_workspace_delete", args=[workspace.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(WorkspaceDocument.objects.all()) == [elsewhere]
    assert stored_files() == [elsewhere.docpath]
