"""Conversations on the chat page without JavaScript: new chat, the list, rename, delete,
each thread's own follow-up history; regenerate, edit and feedback; another member's thread
stays theirs."""

import csv
import io
import json

import pytest
from django.test import Client

from tests.factories import ChatThreadFactory, UserFactory, WorkspaceChatFactory, WorkspaceUserFactory
from tests.workspaces.chats.asking import ANSWER_SENTENCE, chat_url
from workspaces.chats.services import chat_history
from workspaces.chats.threads import THREAD_NOT_FOUND, thread_title_from
from workspaces.models import ChatThread, WorkspaceChat

pytestmark = pytest.mark.django_db

WARRANTY = "How long does the warranty cover water damage?"


def ask_in(client, workspace, prompt, **fields):
    return client.post(chat_url(workspace), {"prompt": prompt, **fields})


def test_the_first_question_of_a_new_chat_starts_a_thread_titled_with_it(member_client, user, workspace, manual):
    response = ask_in(member_client, workspace, f"  {WARRANTY}\n", thread="")
    thread = ChatThread.objects.get()
    assert (thread.user, thread.workspace, thread.title) == (user, workspace, WARRANTY)
    assert response["Location"].startswith(f"/w/{workspace.slug}/chat/t/{thread.pk}/")
    page = member_client.get(response["Location"]).content.decode()
    assert ANSWER_SENTENCE in page and f"<h2 id=\"conversation-title\">{WARRANTY}</h2>" in page


def test_a_long_first_question_is_cut_at_a_word_for_the_title():
    assert thread_title_from("word " * 40) == ("word " * 16).strip() + "…"
    assert len(thread_title_from("x" * 200)) == 80


def test_new_chat_starts_another_thread_and_the_list_shows_the_latest_first(member_client, workspace, manual):
    ask_in(member_client, workspace, WARRANTY, thread="")
    first = ChatThread.objects.get()
    assert "Your question (starts a new conversation)" in member_client.get(
        f"/w/{workspace.slug}/chat/new/").content.decode()
    ask_in(member_client, workspace, "Should I charge the device before first use?", thread="")
    second = ChatThread.objects.exclude(pk=first.pk).get()
    page = member_client.get(chat_url(workspace)).content.decode()
    assert page.index("Should I charge the device") < page.index(WARRANTY)  # newest first, and open
    assert f'href="/w/{workspace.slug}/chat/t/{second.pk}/" aria-current="page"' in page
    ask_in(member_client, workspace, "And accidental drops?", thread=str(first.pk))
    assert ChatThread.objects.first() == first  # asked in last: first in the list again
    assert first.chats.count() == 2 and second.chats.count() == 1


def test_follow_ups_use_only_their_own_threads_history(user, workspace):
    own = ChatThreadFactory(workspace=workspace, user=user)
    leave = WorkspaceChatFactory(workspace=workspace, user=user, prompt="How much leave?",
                                 response={"text": "25 days."}, thread=own)
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="Office hours?", response={"text": "9 to 5."},
                         thread=ChatThreadFactory(workspace=workspace, user=user))
    follow_up = WorkspaceChatFactory(workspace=workspace, user=user, prompt="And for Lisbon?", thread=leave.thread)
    assert chat_history(chat=follow_up) == [("How much leave?", "25 days.")]


def test_renaming_and_deleting_a_thread_hides_it_from_the_member_but_the_admin_log_keeps_it(
    member_client, user, workspace, admin_user
):
    chat = WorkspaceChatFactory(workspace=workspace, user=user, prompt="keep me in the log")
    thread = chat.thread
    response = member_client.post(f"/w/{workspace.slug}/chat/t/{thread.pk}/rename/", {"title": "  Leave  "})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == "Leave"
    member_client.post(f"/w/{workspace.slug}/chat/t/{thread.pk}/rename/", {"title": " "})
    thread.refresh_from_db()
    assert thread.title == "Leave"  # an empty title is refused

    member_client.post(f"/w/{workspace.slug}/chat/t/{thread.pk}/delete/")
    thread.refresh_from_db()
    chat.refresh_from_db()
    assert thread.include is False and chat.include is False
    page = member_client.get(chat_url(workspace)).content.decode()
    assert "keep me in the log" not in page
    assert "Leave" not in page.replace("Deleted the conversation “Leave”", "")
    assert member_client.get(f"/w/{workspace.slug}/chat/t/{thread.pk}/").status_code == 404
    admin = Client()
    admin.force_login(admin_user)
    assert "keep me in the log" in admin.get("/admin/workspaces/workspacechat/").content.decode()


def test_another_members_thread_cannot_be_read_asked_in_renamed_or_deleted(member_client, user, workspace):
    leo = UserFactory(username="leo")
    WorkspaceUserFactory(user=leo, workspace=workspace)
    theirs = WorkspaceChatFactory(workspace=workspace, user=leo, prompt="leo's secret")
    slug = workspace.slug
    assert member_client.get(f"/w/{slug}/chat/t/{theirs.thread_id}/").status_code == 404
    assert member_client.post(f"/w/{slug}/chat/t/{theirs.thread_id}/rename/", {"title": "x"}).status_code == 404
    assert member_client.post(f"/w/{slug}/chat/t/{theirs.thread_id}/delete/").status_code == 404
    refused = ask_in(member_client, workspace, "mine now?", thread=str(theirs.thread_id))
    assert refused.status_code == 404 and THREAD_NOT_FOUND in refused.content.decode()
    refused = ask_in(member_client, workspace, "regenerate theirs", version_of=str(theirs.pk))
    assert refused.status_code == 404
    assert member_client.post(f"/w/{slug}/chat/{theirs.pk}/feedback/", {"rating": "up"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.rating is None and theirs.thread.title != "x" and theirs.thread.include
    assert WorkspaceChat.objects.count() == 1


def test_regenerating_keeps_the_earlier_answer_reachable_as_1_of_2(member_client, user, workspace, manual):
    ask_in(member_client, workspace, WARRANTY, thread="")
    first = WorkspaceChat.objects.get()
    response = ask_in(member_client, workspace, first.prompt, version_of=str(first.pk))
    second = WorkspaceChat.objects.exclude(pk=first.pk).get()
    assert (second.version_of, second.thread, second.prompt) == (first, first.thread, WARRANTY)
    page = member_client.get(response["Location"]).content.decode()
    assert "2 of 2" in page and page.count('class="chat-turn"') == 1
    assert f"?v={first.pk}#chat-{first.pk}" in page
    earlier = member_client.get(f"/w/{workspace.slug}/chat/t/{first.thread_id}/?v={first.pk}").content.decode()
    assert "1 of 2" in earlier and f'id="answer-{first.pk}"' in earlier and f'id="answer-{second.pk}"' not in earlier
    thread_page = f"/w/{workspace.slug}/chat/t/{first.thread_id}/"
    for odd in ("²", "abc", "-1", "99999999999999999999"):  # the newest version, never a 500
        assert "2 of 2" in member_client.get(thread_page, {"v": odd}).content.decode()


def test_an_edited_question_is_answered_as_another_version_of_its_turn(member_client, user, workspace, manual):
    ask_in(member_client, workspace, "Charge before use?", thread="")
    first = WorkspaceChat.objects.get()
    ask_in(member_client, workspace, WARRANTY, version_of=str(first.pk))
    edited = WorkspaceChat.objects.get(version_of=first)
    assert edited.prompt == WARRANTY and ANSWER_SENTENCE in edited.answer.text
    page = member_client.get(chat_url(workspace)).content.decode()
    assert "2 of 2" in page and ANSWER_SENTENCE in page


def test_a_later_turn_follows_up_on_each_earlier_turns_latest_answer(user, workspace):
    thread = ChatThreadFactory(workspace=workspace, user=user)
    first = WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt="Q1", response={"text": "old"})
    WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt="Q1 edited", version_of=first,
                         response={"text": "new"})
    later = WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt="Q2")
    assert chat_history(chat=later) == [("Q1 edited", "new")]
    regenerated = WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt="Q1", version_of=first)
    assert chat_history(chat=regenerated) == []  # nothing came before that turn


def test_feedback_is_stored_and_changed_and_a_bad_rating_is_refused(member_client, user, workspace):
    chat = WorkspaceChatFactory(workspace=workspace, user=user)
    url = f"/w/{workspace.slug}/chat/{chat.pk}/feedback/"
    member_client.post(url, {"rating": "down", "comment": " Wrong office. "})
    chat.refresh_from_db()
    assert (chat.rating, chat.feedback) == (-1, "Wrong office.")
    page = member_client.get(chat_url(workspace)).content.decode()
    assert 'aria-pressed="true" title="Bad answer"' in page and "Wrong office." in page
    reply = member_client.post(url, {"rating": "none", "comment": ""}, HTTP_ACCEPT="application/json")
    chat.refresh_from_db()
    assert reply.status_code == 200 and f'id="answer-{chat.pk}"' in reply.json()["html"]
    assert (chat.rating, chat.feedback) == (None, "")
    refused = member_client.post(url, {"rating": "sideways"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["error"] == "Rate an answer up or down."


def test_the_ask_button_is_off_with_a_message_once_the_daily_quota_is_used(member_client, user, workspace):
    user.daily_message_limit = 1
    user.save()
    page = member_client.get(chat_url(workspace)).content.decode()
    assert 'id="ask-send">Ask' in page
    WorkspaceChatFactory(workspace=workspace, user=user)
    page = member_client.get(chat_url(workspace)).content.decode()
    assert 'id="ask-send" disabled>Ask' in page and "your daily limit" in page


def test_exporting_one_thread_gives_only_its_chats(member_client, user, workspace):
    mine = WorkspaceChatFactory(workspace=workspace, user=user, prompt="in this thread")
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="in another",
                         thread=ChatThreadFactory(workspace=workspace, user=user))
    response = member_client.get(f"/w/{workspace.slug}/chat/export.json", {"thread": mine.thread_id})
    rows = json.loads(b"".join(response.streaming_content))
    assert [row["prompt"] for row in rows] == ["in this thread"]
    assert rows[0]["thread"] == mine.thread_id
    assert member_client.get(f"/w/{workspace.slug}/chat/export.json", {"thread": "999"}).status_code == 404


def test_the_thread_list_is_paginated_with_a_fixed_number_of_queries(
    member_client, user, workspace, django_assert_max_num_queries
):
    """No query per conversation listed (titles, dates and their count come in one page query, which
    also gives the open conversation): 7 (13 pinned before)."""
    for number in range(45):
        WorkspaceChatFactory(workspace=workspace, user=user, prompt=f"topic {number:02d}",
                             thread=ChatThreadFactory(workspace=workspace, user=user, title=f"topic {number:02d}"))
    with django_assert_max_num_queries(7):
        page = member_client.get(chat_url(workspace)).content.decode()
    assert "topic 44" in page and "topic 15" in page and "topic 14" not in page and "Older conversations" in page
    older = member_client.get(chat_url(workspace), {"threads": 2}).content.decode()
    assert "topic 14" in older and "topic 00" in older


def test_the_admin_filters_answers_by_rating_and_comment_and_usage_counts_them(admin_client, user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="liked answer", rating=1)
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="disliked answer", rating=-1, feedback="Wrong office.")
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="unrated answer")
    log = "/admin/workspaces/workspacechat/"
    down = admin_client.get(log, {"rating__exact": "-1"}).content.decode()
    assert "disliked answer" in down and "liked answer" not in down.replace("disliked answer", "")
    commented = admin_client.get(log, {"commented": "yes"}).content.decode()
    assert "disliked answer" in commented and "unrated answer" not in commented
    insights = admin_client.get("/admin/usage/", {"download": "days"}).content.decode()
    today = list(csv.DictReader(io.StringIO(insights)))[-1]
    assert (today["Questions"], today["Rated helpful"], today["Rated unhelpful"]) == ("3", "1", "1")


def test_a_private_chats_feedback_comment_is_hidden_from_the_admin(admin_client, user, workspace):
    workspace.private_chats = True
    workspace.save()
    chat = WorkspaceChatFactory(workspace=workspace, user=user, rating=-1, feedback="my private remark")
    page = admin_client.get(f"/admin/workspaces/workspacechat/{chat.pk}/change/").content.decode()
    assert "my private remark" not in page and "Thumbs down" in page


def test_a_refused_question_shows_its_error_in_the_conversation_it_was_asked_in(member_client, user, workspace):
    older = WorkspaceChatFactory(workspace=workspace, user=user, prompt="older topic")
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="latest topic",
                         thread=ChatThreadFactory(workspace=workspace, user=user, title="latest topic"))
    response = member_client.post(f"/w/{workspace.slug}/chat/t/{older.thread_id}/",
                                  {"prompt": "  ", "thread": older.thread_id})
    body = response.content.decode()
    assert response.status_code == 400 and "Type a question first." in body
    assert f'<h2 id="conversation-title">{older.thread.title}</h2>' in body


def test_each_page_of_turns_shows_its_turns_versions_and_only_theirs(member_client, user, workspace):
    """The page's turns, their later versions and the number of turns come in one query."""
    thread = ChatThreadFactory(workspace=workspace, user=user, title="Many turns")
    roots = [WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt=f"turn {number:02d}",
                                  response={"text": f"answer {number:02d}", "sources": []})
             for number in range(25)]
    for root in (roots[2], roots[20]):
        WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt=f"{root.prompt} again",
                             version_of=root, response={"text": f"{root.response['text']} again", "sources": []})
    WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, prompt="turn 03 cleared", version_of=roots[3],
                         include=False, response={"text": "cleared version", "sources": []})
    newest = member_client.get(chat_url(workspace)).content.decode()
    assert "answer 20 again" in newest and "answer 05" in newest and "answer 04" not in newest
    assert "answer 02 again" not in newest and "Show older questions" in newest
    older = member_client.get(chat_url(workspace), {"page": 2}).content.decode()
    assert "answer 02 again" in older and "answer 04" in older and "answer 05" not in older
    assert "cleared version" not in older and "answer 03" in older
    assert older.count("2 of 2") == 1 and newest.count("2 of 2") == 1
