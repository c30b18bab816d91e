"""The chat page around streaming: stored states shown, citation chips, the source popover's endpoint."""

import pytest

from tests.factories import UserFactory, WorkspaceChatFactory, WorkspaceDocumentFactory, WorkspaceUserFactory
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def cited_chat(workspace, user, *, text="Water damage is covered [1].", state="complete", reason=""):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    source = {"doc_id": str(document.doc_id), "filename": "manual.pdf", "position": 2,
              "quote": "The warranty covers water damage for three years.", "score": 1.0}
    response = {"text": text, "sources": [source], "provider": "retrieval", "state": state, "reason": reason}
    return WorkspaceChatFactory(workspace=workspace, user=user, response=response, state=state)


def test_a_citation_number_is_a_chip_that_links_to_the_passage_and_names_its_popover(member_client, user, workspace):
    chat = cited_chat(workspace, user)
    body = member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    popover = f"/w/{workspace.slug}/chat/{chat.pk}/sources/1/"
    assert f'data-popover="{popover}"' in body
    assert body.count('class="cite"') == 2  # in the text and in the list of sources
    assert "Water damage is covered" in body


def test_the_chat_page_loads_the_streaming_script_and_puts_the_focus_in_the_question_box(member_client, workspace):
    body = member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    assert 'src="/static/js/chat.js"' in body
    assert "autofocus" in body and 'href="#id_prompt"' in body
    assert f'data-stream-url="/w/{workspace.slug}/chat/stream/"' in body
    assert "<script>" not in body  # the CSP forbids inline scripts


def test_a_stopped_answer_shows_what_arrived_and_why_it_ended(member_client, user, workspace):
    cited_chat(workspace, user, text="The warranty covers", state="stopped",
               reason="Stopped before the answer was complete.")
    body = member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    assert "The warranty covers" in body
    assert "Stopped:</strong> Stopped before the answer was complete." in body


def test_the_source_endpoint_gives_the_passage_text_and_a_link_to_the_document(member_client, user, workspace):
    chat = cited_chat(workspace, user)
    response = member_client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/1/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "The warranty covers water damage for three years." in body
    assert "Open in the document" in body and "/passages/2/" in body


def test_the_source_endpoint_answers_404_for_another_members_chat_or_a_missing_source(client, user, workspace):
    chat = cited_chat(workspace, user)
    other = UserFactory(username="olga")
    WorkspaceUserFactory(user=other, workspace=workspace)
    client.force_login(other)
    assert client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/1/").status_code == 404
    client.force_login(user)
    assert client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/2/").status_code == 404
    assert client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/0/").status_code == 404


def test_a_source_of_a_deleted_document_shows_its_text_without_a_link(member_client, user, workspace):
    chat = cited_chat(workspace, user)
    workspace.documents.all().delete()
    body = member_client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/1/").content.decode()
    assert "The warranty covers water damage" in body and "has been deleted" in body
    assert "Open in the document" not in body


def test_citation_numbers_without_a_source_and_brackets_in_markup_stay_as_typed(member_client, user, workspace):
    cited_chat(workspace, user, text='See [1] and [7]; [link](https://example.com "t [1]")')
    body = member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    assert "[7]" in body
    assert 'title="t [1]"' in body


def test_a_failed_answer_keeps_the_question_out_of_the_next_answers_history(user, workspace):
    from workspaces.chats.services import chat_history

    workspace.history_length = 5
    workspace.save()
    cited_chat(workspace, user, text="Half an", state="failed", reason="The model overloaded.")
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="Done?", response={"text": "Yes."})
    asked = WorkspaceChatFactory(workspace=workspace, user=user, prompt="Next?")
    assert chat_history(chat=asked) == [("Done?", "Yes.")]


def test_an_answer_left_answering_by_a_stopped_worker_shows_as_interrupted_later(member_client, user, workspace):
    from datetime import timedelta

    from django.utils import timezone

    chat = WorkspaceChatFactory(workspace=workspace, user=user, state="answering", response={"state": "answering"})
    assert "Still answering" in member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    WorkspaceChat.objects.filter(pk=chat.pk).update(created_at=timezone.now() - timedelta(hours=1))
    body = member_client.get(f"/w/{workspace.slug}/chat/").content.decode()
    assert "Still answering" not in body and "The answer was interrupted before it was complete." in body
