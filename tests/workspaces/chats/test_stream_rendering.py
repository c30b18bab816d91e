"""What the page shows while an answer streams and when the model fails: HTML snapshots made
by the stored answer's own sanitising renderer, citation chips from the first snapshot, the
passages a model answer cites listed apart from the others, the built-in fallback; and the
built-in provider's follow-ups."""

import pytest

from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.llm_server import Behaviour
from tests.workspaces.chats.test_streaming import events, stream
from workspaces.chats.citations import answer_html, cited_sources
from workspaces.chats.services import FALLBACK_NOTE
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

MARKDOWN = "## Cover\n\nWater damage is covered for **three years** [1].\n\n<script>alert(1)</script>\n\n- one\n- two"


def test_every_snapshot_is_the_stored_answers_rendering_of_the_text_so_far(member_client, workspace, configured):
    configured.stream_text = MARKDOWN
    received = list(events(stream(member_client, workspace).streaming_content))
    chat = WorkspaceChat.objects.get()
    cited = cited_sources(chat, workspace, chat.answer.cited_doc_ids)
    text, snapshots = "", 0
    for name, data in received:
        if name != "token":
            continue
        text += data["text"]
        if "html" in data:
            snapshots += 1
            assert data["html"] == str(answer_html(text, cited))
            assert "##" not in data["html"] and "<script" not in data["html"]
    assert snapshots >= 3  # at least at each new line
    assert "<h2>Cover</h2>" in data["html"] and "<strong>three years</strong>" in data["html"]
    assert 'class="cite"' in data["html"]  # the chip, before the answer ended
    assert text == chat.answer.text


def test_a_model_answer_lists_the_passages_it_cites_and_folds_the_others(member_client, workspace, configured):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="terms.pdf")
    DocumentPassageFactory(document=document, position=1,
                           text="How long the warranty covers water damage depends on the model.")
    configured.stream_text = "Covered for three years [2]."
    end = list(events(stream(member_client, workspace).streaming_content))[-1][1]
    chat = WorkspaceChat.objects.get()
    assert len(chat.answer.sources) == 2
    cited_list, also = end["html"].split('<details class="also-retrieved">')
    assert '<li value="2">' in cited_list and '<li value="1">' not in cited_list
    assert "Also retrieved (1)" in also and '<li value="1">' in also


def test_a_failed_model_falls_back_to_the_built_in_answer_labelled_as_such(member_client, workspace, configured):
    workspace.fallback_to_builtin = True
    workspace.save()
    configured.behaviour = Behaviour.SERVER_ERROR
    received = list(events(stream(member_client, workspace).streaming_content))
    chat = WorkspaceChat.objects.get()
    assert chat.state == "complete" and chat.answer.provider == "retrieval"
    assert chat.answer.text.startswith("From your documents:") and "three years" in chat.answer.text
    assert chat.answer.note.startswith(FALLBACK_NOTE.split("(")[0])
    assert "Built-in answer." in received[-1][1]["html"]


def test_without_the_fallback_a_failed_model_answer_offers_retry(member_client, workspace, configured):
    configured.behaviour = Behaviour.SERVER_ERROR
    end = list(events(stream(member_client, workspace).streaming_content))[-1][1]
    assert end["state"] == "failed" and ">Retry</button>" in end["html"]
    configured.behaviour = Behaviour.ANSWER
    failed = WorkspaceChat.objects.get()
    list(events(member_client.post(f"/w/{workspace.slug}/chat/stream/",
                                   {"prompt": failed.prompt, "version_of": failed.pk}).streaming_content))
    retried = WorkspaceChat.objects.get(version_of=failed)
    assert retried.state == "complete" and retried.thread == failed.thread


def test_the_end_of_a_stream_says_when_the_daily_quota_is_used(member_client, user, workspace, configured):
    user.daily_message_limit = 1
    user.save()
    end = list(events(stream(member_client, workspace).streaming_content))[-1][1]
    assert end["quota"]["left"] == 0 and "your daily limit" in end["quota"]["message"]


@pytest.mark.parametrize("follow_up", ["Tell me more about that", "Can you elaborate?"])
def test_built_in_follow_ups_without_a_subject_continue_the_previous_turn(member_client, workspace, follow_up):
    setting_set(label="chat_provider", value="retrieval")
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.pdf")
    DocumentPassageFactory(document=document, position=1,
                           text="Annual leave is 25 days a year. Unused days carry over until March.")
    DocumentPassageFactory(document=document, position=2,
                           text="Annual leave requests go to your manager two weeks ahead.")
    member_client.post(f"/w/{workspace.slug}/chat/", {"prompt": "How much annual leave?", "thread": ""})
    first = WorkspaceChat.objects.get()
    member_client.post(f"/w/{workspace.slug}/chat/", {"prompt": follow_up, "thread": first.thread_id})
    more = WorkspaceChat.objects.exclude(pk=first.pk).get()
    assert more.answer.text.startswith("From your documents:")
    first_quote = first.answer.text.split("\n\n")[1]
    assert first_quote not in more.answer.text  # more, not the same again


def test_and_for_lisbon_follows_up_on_the_threads_previous_question(member_client, workspace):
    setting_set(label="chat_provider", value="retrieval")
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.pdf")
    DocumentPassageFactory(document=document, position=1, text="In the Porto office annual leave is 25 days.")
    DocumentPassageFactory(document=document, position=2, text="In the Lisbon office annual leave is 23 days.")
    member_client.post(f"/w/{workspace.slug}/chat/", {"prompt": "How much annual leave in Porto?", "thread": ""})
    first = WorkspaceChat.objects.get()
    member_client.post(f"/w/{workspace.slug}/chat/", {"prompt": "and for Lisbon?", "thread": first.thread_id})
    assert "23 days" in WorkspaceChat.objects.exclude(pk=first.pk).get().answer.text
