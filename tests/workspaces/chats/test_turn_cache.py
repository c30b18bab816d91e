"""The chat page keeps each answered turn's HTML in the cache: what a member then sees must be
what a fresh rendering shows, and every change to a turn must show at once."""

import re

import pytest

from tests.factories import WorkspaceChatFactory, WorkspaceDocumentFactory
from tests.workspaces.chats.asking import chat_url
from workspaces.chats.services import chat_rate
from workspaces.documents.services import document_delete

pytestmark = pytest.mark.django_db


def cited_chat(workspace, user, document):
    source = {"doc_id": str(document.doc_id), "filename": document.filename, "position": 2, "quote": "q", "score": 1.0}
    return WorkspaceChatFactory(
        workspace=workspace, user=user, prompt="Where is the ferry?",
        response={"text": "## Ferry\n\nBy the **harbour** [1].", "sources": [source], "provider": "retrieval"},
    )


def page(client, workspace) -> str:
    """The page with its CSRF tokens (masked afresh on every response) left out."""
    body = client.get(chat_url(workspace)).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_a_page_from_cached_turns_is_the_page_rendered_afresh(member_client, user, workspace):
    from django.core.cache import cache

    document = WorkspaceDocumentFactory(workspace=workspace, filename="harbour.pdf")
    for _ in range(3):
        cited_chat(workspace, user, document)
    member_client.get(chat_url(workspace))  # the CSRF cookie the turns' forms are keyed by
    fresh = page(member_client, workspace)
    assert fresh == page(member_client, workspace)  # now from the cache
    assert "<strong>harbour</strong>" in fresh and f"/documents/{document.doc_id}/passages/2/" in fresh
    cache.clear()
    assert page(member_client, workspace) == fresh


def test_a_rating_and_a_deleted_source_show_at_once_on_a_cached_page(member_client, user, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="harbour.pdf")
    chat = cited_chat(workspace, user, document)
    member_client.get(chat_url(workspace))
    assert 'aria-pressed="true"' not in page(member_client, workspace)
    chat_rate(chat=chat, rating=1, comment="Clear and short.")
    rated = page(member_client, workspace)
    assert 'aria-pressed="true"' in rated and "Clear and short." in rated
    document_delete(document=document)
    assert "cite-gone" in page(member_client, workspace)


def test_another_member_never_gets_the_turns_of_someone_else(member_client, user, workspace, client):
    from tests.factories import UserFactory, WorkspaceUserFactory

    document = WorkspaceDocumentFactory(workspace=workspace, filename="harbour.pdf")
    cited_chat(workspace, user, document)
    member_client.get(chat_url(workspace))
    assert "Where is the ferry?" in page(member_client, workspace)
    other = UserFactory()
    WorkspaceUserFactory(workspace=workspace, user=other)
    client.force_login(other)
    client.get(chat_url(workspace))
    assert "Where is the ferry?" not in page(client, workspace)
