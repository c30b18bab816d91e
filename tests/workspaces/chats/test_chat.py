import csv
import io
import json

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import (
    DocumentPassageFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceUserFactory,
)
from tests.workspaces.chats.asking import ANSWER_SENTENCE, ask, chat_url
from workspaces.chats.answering import NO_ANSWER, retrieve_passages
from workspaces.chats.limits import ChatRefused, prompt_check
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def test_a_member_asks_and_gets_the_sentence_back_with_a_citation_to_the_passage(
    member_client, user, workspace, manual
):
    response = ask(member_client, workspace, "How long does the warranty cover water damage?")
    assert response.status_code == 302
    chat = WorkspaceChat.objects.get()
    assert chat.user == user and chat.workspace == workspace and chat.include
    assert ANSWER_SENTENCE in chat.response["text"] and "[1]" in chat.response["text"]
    source = chat.response["sources"][0]
    assert source["doc_id"] == str(manual.doc_id) and source["position"] == 2 and source["filename"] == "manual.pdf"
    assert ANSWER_SENTENCE in source["quote"]
    assert chat.response["provider"] == "retrieval" and "total_ms" in chat.response["timings"]

    page = member_client.get(chat_url(workspace)).content.decode()
    assert ANSWER_SENTENCE in page
    passage_link = f"/w/{workspace.slug}/documents/{manual.doc_id}/passages/2/"
    assert f'href="{passage_link}?q=How+long+does+the+warranty+cover+water+damage%3F"' in page
    opened = member_client.get(passage_link, follow=True)
    assert ANSWER_SENTENCE in opened.content.decode()


def test_a_question_nothing_answers_says_so_without_sources(member_client, workspace, manual):
    ask(member_client, workspace, "Who painted the Mona Lisa?")
    chat = WorkspaceChat.objects.get()
    assert chat.response["text"] == NO_ANSWER and chat.response["sources"] == []


def test_top_n_limits_the_passages_an_answer_is_drawn_from(member_client, workspace):
    for position in range(1, 8):
        DocumentPassageFactory(
            document=WorkspaceDocumentFactory(workspace=workspace), position=position,
            text=f"Invoices are paid within {position} days of receipt.",
        )
    workspace.top_n = 3
    workspace.save()
    assert len(retrieve_passages(workspace=workspace, prompt="When are invoices paid?", history=[])) == 3
    ask(member_client, workspace, "When are invoices paid?")
    assert 1 <= len(WorkspaceChat.objects.get().response["sources"]) <= 3


def test_the_similarity_threshold_leaves_out_passages_that_share_too_few_words(member_client, workspace):
    DocumentPassageFactory(document=WorkspaceDocumentFactory(workspace=workspace), text="Parking is free on Sundays.")
    workspace.similarity_threshold = 0.9
    workspace.save()
    ask(member_client, workspace, "Is parking free for electric trucks on weekdays?")
    assert WorkspaceChat.objects.get().response["text"] == NO_ANSWER


def test_words_that_only_phrase_a_question_do_not_make_a_small_workspace_refuse_it(workspace):
    from workspaces.chats.answering import answer

    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.md")
    for position, text in enumerate([
        "Every employee has 25 days of annual leave per year.",
        "Expense reports are due on the fifth working day of the month.",
        "The office opens at eight and closes at six.",
        "Sick leave needs a doctor's note from the third day.",
    ], start=1):
        DocumentPassageFactory(document=document, position=position, text=text)
    reply = answer(workspace=workspace, prompt="How many days of annual leave do I get?", history=[])
    assert reply.text.split("\n\n")[1] == "> Every employee has 25 days of annual leave per year. [1]"
    # The subject's own words still count when absent: an off-topic question is still refused.
    assert answer(workspace=workspace, prompt="How many bees live in a hive?", history=[]).text == NO_ANSWER
    assert answer(workspace=workspace, prompt="How much long service leave do I get?", history=[]).text == NO_ANSWER


def test_the_page_shows_only_the_askers_included_chats_in_this_workspace(member_client, user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="mine and visible")
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="mine but cleared", include=False)
    WorkspaceChatFactory(workspace=workspace, prompt="someone else's question")
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "mine and visible" in body
    assert "mine but cleared" not in body and "someone else" not in body


def test_the_newest_chats_show_oldest_first_and_older_ones_are_paginated(member_client, user, workspace):
    for number in range(1, 46):
        WorkspaceChatFactory(workspace=workspace, user=user, prompt=f"question number {number:02d}")
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "question number 45" in body and "question number 26" in body and "question number 25" not in body
    assert body.index("question number 26") < body.index("question number 45")
    assert "Show older questions" in body
    older = member_client.get(chat_url(workspace), {"page": 2}).content.decode()
    assert "question number 25" in older and "question number 06" in older


def test_chat_page_costs_a_fixed_number_of_queries(member_client, user, workspace, django_assert_max_num_queries):
    """Sources live in the response JSON: no query per chat, per source or per conversation listed
    (session, user, workspace and role, the thread list counted by its own query and heading with the
    open thread, the turns with their versions and their count, live documents, the quota): 8 (13 pinned before)."""
    for _ in range(60):
        WorkspaceChatFactory(
            workspace=workspace, user=user,
            response={"text": "x", "sources": [{"doc_id": "5b1f7a4e-8f3c-4c39-9d1f-0c9f3d2b7a11", "filename": "a.pdf",
                                                "position": 3, "quote": "q", "score": 1.0}]},
        )
    with django_assert_max_num_queries(8):
        response = member_client.get(chat_url(workspace))
    assert response.status_code == 200 and "a.pdf" in response.content.decode()


def test_clearing_hides_the_chats_from_the_page_but_the_admin_log_keeps_them(
    member_client, admin_user, user, workspace
):
    admin_client = Client()
    admin_client.force_login(admin_user)
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="forget me please")
    response = member_client.post(f"/w/{workspace.slug}/chat/clear/")
    assert response.status_code == 302
    assert "forget me please" not in member_client.get(chat_url(workspace)).content.decode()
    chat = WorkspaceChat.objects.get()
    assert chat.include is False
    assert "forget me please" in admin_client.get("/admin/workspaces/workspacechat/").content.decode()


def test_cleared_chats_leave_the_answering_context(user, workspace):
    from workspaces.chats.services import chat_clear, chat_history

    WorkspaceChatFactory(workspace=workspace, user=user, prompt="old context")
    asked = WorkspaceChatFactory(workspace=workspace, user=user, prompt="next")
    assert chat_history(chat=asked) == [("old context", "An answer.")]
    chat_clear(workspace=workspace, user=user)
    assert chat_history(chat=asked) == []


def test_export_csv_has_the_askers_chats_and_neutralises_formulas(member_client, user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="=HYPERLINK(\"http://evil\")")
    WorkspaceChatFactory(workspace=workspace, prompt="someone else's")
    response = member_client.get(f"/w/{workspace.slug}/chat/export.csv")
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["prompt"].startswith("'=")


def test_export_json_is_valid_json_of_the_askers_chats(member_client, user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="exported question")
    response = member_client.get(f"/w/{workspace.slug}/chat/export.json")
    rows = json.loads(b"".join(response.streaming_content))
    assert [row["prompt"] for row in rows] == ["exported question"]


def test_an_unknown_export_format_is_a_404(member_client, workspace):
    assert member_client.get(f"/w/{workspace.slug}/chat/export.xlsx").status_code == 404


def test_the_admin_chat_log_exports_a_selection(admin_client, workspace):
    chosen = WorkspaceChatFactory(workspace=workspace, prompt="chosen one")
    WorkspaceChatFactory(workspace=workspace, prompt="left out")
    response = admin_client.post(
        "/admin/workspaces/workspacechat/", {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    body = b"".join(response.streaming_content).decode()
    assert "chosen one" in body and "left out" not in body


def test_answers_and_documents_with_markup_render_inert(member_client, user, workspace):
    DocumentPassageFactory(
        document=WorkspaceDocumentFactory(workspace=workspace),
        text='The <script>alert("doc")</script> gadget has a <img src=x onerror=alert(1)> sensor.',
    )
    WorkspaceChatFactory(
        workspace=workspace, user=user, prompt="<script>alert('prompt')</script>",
        response={"text": "[click](javascript:alert(1)) <script>alert('answer')</script>", "sources": []},
    )
    ask(member_client, workspace, "What sensor does the gadget have?")
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "<script>alert" not in body
    assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in body
    assert "&lt;script&gt;alert(&#x27;prompt&#x27;)" in body


def test_managers_may_chat_in_any_workspace(manager_client, workspace, manual):
    assert ask(manager_client, workspace, "warranty water damage?").status_code == 302


def test_a_follow_up_in_chat_mode_uses_the_previous_question(member_client, workspace, manual):
    ask(member_client, workspace, "What does the warranty cover?")
    ask(member_client, workspace, "And for how many years?")
    follow_up = WorkspaceChat.objects.order_by("id").last()
    assert ANSWER_SENTENCE in follow_up.response["text"]


def test_chats_are_per_workspace_for_a_member_of_two(client, workspace, manual):
    from tests.factories import WorkspaceFactory

    other = WorkspaceFactory(name="Second")
    member = UserFactory(username="twice")
    WorkspaceUserFactory(user=member, workspace=workspace)
    WorkspaceUserFactory(user=member, workspace=other)
    client.force_login(member)
    ask(client, workspace, "warranty water damage?")
    assert "warranty water damage" not in client.get(chat_url(other)).content.decode()


def test_an_unrelated_question_after_an_answered_one_is_not_answered_from_the_old_topic(
    member_client, workspace, manual
):
    ask(member_client, workspace, "What does the warranty cover?")
    ask(member_client, workspace, "What is the capital of France?")
    unrelated = WorkspaceChat.objects.order_by("id").last()
    assert unrelated.response["text"] == NO_ANSWER and unrelated.response["sources"] == []


def test_a_citation_of_a_deleted_document_is_marked_not_linked(member_client, user, workspace, manual):
    ask(member_client, workspace, "How long does the warranty cover water damage?")
    manual.delete()
    body = member_client.get(chat_url(workspace)).content.decode()
    assert "document deleted" in body
    assert f"/documents/{manual.doc_id}/passages/" not in body


def test_a_chat_reads_its_answer_again_once_the_response_is_replaced(workspace, user):
    chat = WorkspaceChatFactory(workspace=workspace, user=user, response={"text": "First answer.", "sources": []})
    assert chat.answer is chat.answer  # read once, however often a page asks
    assert chat.answer.text == "First answer."
    chat.response = {"text": "Second answer.", "sources": []}
    assert chat.answer.text == "Second answer."
    chat.save()
    chat.refresh_from_db()
    assert chat.answer.text == "Second answer."


def test_what_docent_itself_writes_in_a_conversation_is_in_the_askers_language(member_client, workspace, manual):
    """The built-in "no document answers that", a deleted source's mark and a refused question,
    on a German page (the model's own words are whatever it writes)."""
    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    member_client.post(chat_url(workspace), {"prompt": "What is the capital of France?"}, **german)
    assert WorkspaceChat.objects.get().response["text"] == "Kein Dokument in diesem Arbeitsbereich beantwortet das."
    member_client.post(chat_url(workspace), {"prompt": "How long does the warranty cover water damage?"}, **german)
    manual.delete()
    body = member_client.get(chat_url(workspace), **german).content.decode()
    assert 'title="Dokument gelöscht"><span class="visually-hidden">Quelle </span>1</span>' in body
    refused = member_client.post(chat_url(workspace), {"prompt": "a\x00b"}, **german)
    assert refused.status_code == 400 and "Nullzeichen sind nicht erlaubt." in refused.content.decode()
    with translation.override("de"), pytest.raises(ChatRefused, match="Fragen dürfen keine NUL-Zeichen enthalten."):
        prompt_check("a\x00b")  # the service's own check, for every door (the API's too)
