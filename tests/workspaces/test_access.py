"""Every workspace URL is scoped to the workspaces the user may see: a 404 otherwise."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.factories import DocumentPassageFactory, WorkspaceChatFactory, WorkspaceDocumentFactory
from workspaces.urls import urlpatterns

pytestmark = pytest.mark.django_db


def url_for(pattern, *, workspace, document):
    """Reverse `pattern` with a real value for each of its converters."""
    chat = document.workspace.chats.get()
    values = {"slug": workspace.slug, "doc_id": document.doc_id, "position": 1, "format": "csv", "pk": chat.pk,
              "number": 1, "membership_id": 999, "invite_id": 999, "thread": chat.thread_id}
    names = set(pattern.pattern.converters)
    assert names <= set(values), f"teach this test a value for {sorted(names - set(values))} of {pattern.name}"
    return reverse(f"workspaces:{pattern.name}", kwargs={name: values[name] for name in names})


@pytest.fixture
def document(workspace, user):
    """A document with a passage and a stored original, and the member's chat citing it."""
    document = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=document, position=1)
    source = {"doc_id": str(document.doc_id), "filename": document.filename, "position": 1, "quote": "A passage."}
    WorkspaceChatFactory(workspace=workspace, user=user, response={"text": "Cited [1].", "sources": [source]})
    default_storage.save(document.docpath, ContentFile(b"A stored original."))
    return document


@pytest.mark.parametrize("pattern", urlpatterns, ids=[pattern.name for pattern in urlpatterns])
def test_every_workspace_url_answers_404_to_a_non_member(client, other_user, workspace, document, pattern):
    client.force_login(other_user)
    url = url_for(pattern, workspace=workspace, document=document)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("pattern", urlpatterns, ids=[pattern.name for pattern in urlpatterns])
def test_every_workspace_url_exists_for_a_member_so_the_404s_above_mean_something(
    member_client, workspace, document, pattern
):
    url = url_for(pattern, workspace=workspace, document=document)
    # 403: upload, delete, members and settings are for editors, owners and staff; 405: POST-only actions (clear chat);
    # 404 would mean the URL itself is wrong.
    assert member_client.get(url).status_code in (200, 302, 403, 405)


@pytest.mark.parametrize("pattern", urlpatterns, ids=[pattern.name for pattern in urlpatterns])
def test_every_workspace_url_sends_a_signed_out_visitor_to_sign_in(client, user, workspace, document, pattern):
    response = client.get(url_for(pattern, workspace=workspace, document=document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_document_is_found_only_through_its_own_workspace(member_client, workspace, other_user):
    """A docId from another workspace under this workspace's slug is a 404 too."""
    elsewhere = WorkspaceDocumentFactory(workspace=other_user.workspaces.get())
    url = reverse("workspaces:document", kwargs={"slug": workspace.slug, "doc_id": elsewhere.doc_id})
    assert member_client.get(url).status_code == 404
