import pytest

from tests.factories import DocumentPassageFactory, WorkspaceChatFactory, WorkspaceDocumentFactory
from workspaces.models import Workspace, WorkspaceChat, WorkspaceDocument

pytestmark = pytest.mark.django_db


def test_the_delete_confirmation_summarises_documents_and_chats_instead_of_listing_every_passage(
    admin_client, workspace, django_assert_max_num_queries
):
    for number in range(30):
        document = WorkspaceDocumentFactory(workspace=workspace, filename=f"report-{number:02d}.txt")
        DocumentPassageFactory.create_batch(3, document=document)
    WorkspaceChatFactory.create_batch(5, workspace=workspace)
    with django_assert_max_num_queries(15):
        response = admin_client.get(f"/admin/workspaces/workspace/{workspace.pk}/delete/")
    body = response.content.decode()
    assert "30 documents, their stored files and 90 passages" in body
    assert "report-00.txt" in body and "report-29.txt" not in body and "… and 10 more" in body
    assert "5 chats" in body


def test_deleting_a_workspace_in_the_admin_removes_its_documents_and_chats(admin_client, workspace):
    WorkspaceDocumentFactory(workspace=workspace)
    WorkspaceChatFactory(workspace=workspace)
    response = admin_client.post(f"/admin/workspaces/workspace/{workspace.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not WorkspaceDocument.objects.exists() and not WorkspaceChat.objects.exists()


def test_the_document_delete_confirmation_counts_passages_instead_of_listing_them(admin_client, workspace):
    documents = [WorkspaceDocumentFactory(workspace=workspace, filename=f"memo-{n}.txt") for n in range(2)]
    for document in documents:
        DocumentPassageFactory.create_batch(4, document=document)
    response = admin_client.post(
        "/admin/workspaces/workspacedocument/",
        {"action": "delete_selected", "_selected_action": [d.pk for d in documents]},
    )
    body = response.content.decode()
    assert "2 documents, their stored files and 8 passages" in body
    assert "memo-0.txt" in body and "Passage object" not in body
