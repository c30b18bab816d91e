"""The chat page's busiest queries are written out in SQL (workspaces.chats.page_queries): they give
what the ORM queries they stand for give, and every page number reads as Django's paginator reads it."""

import uuid

import pytest
from django.core.paginator import Paginator

from tests.factories import (
    ChatThreadFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from tests.workspaces.chats.asking import chat_url
from workspaces.chats import page_queries
from workspaces.chats.models import ChatThread

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "99", "0", "-1", "x", "2.0", "9" * 25])
def test_the_conversation_list_shows_the_page_djangos_paginator_gives(member_client, user, workspace, number):
    for index in range(45):
        ChatThreadFactory(workspace=workspace, user=user, title=f"topic {index:02d}")
    ChatThreadFactory(workspace=workspace, user=user, title="deleted topic", include=False)
    listed = ChatThread.objects.listed_for(user=user, workspace=workspace)
    expected = Paginator(listed, 30).get_page(number)
    query = {} if number is None else {"threads": number}
    page = member_client.get(chat_url(workspace), query).context["thread_page"]
    assert page.number == expected.number and page.paginator.count == 45
    assert [thread.pk for thread in page] == [thread.pk for thread in expected]


def test_no_conversation_yet_lists_none(member_client, workspace):
    page = member_client.get(chat_url(workspace)).context["thread_page"]
    assert page.paginator.count == 0 and list(page) == []


def test_live_documents_are_the_cited_ones_of_this_workspace_still_there(workspace):
    kept, deleted = (WorkspaceDocumentFactory(workspace=workspace) for _ in range(2))
    elsewhere = WorkspaceDocumentFactory(workspace=WorkspaceFactory(name="Elsewhere"))
    cited = {str(kept.doc_id), str(deleted.doc_id), str(elsewhere.doc_id), str(uuid.uuid4()), "not-a-uuid", ""}
    deleted.delete()
    assert page_queries.live_doc_ids(workspace, cited) == {str(kept.doc_id)}
    assert page_queries.live_doc_ids(workspace, set()) == set()


def test_a_cited_document_deleted_after_the_page_was_shown_is_no_longer_live(workspace):
    from tests.factories import document_with_passages
    from workspaces.documents.services import document_delete
    from workspaces.models import Workspace

    kept, _ = document_with_passages(workspace, "kept.txt", ["Annual leave is 25 days."])
    going, _ = document_with_passages(workspace, "going.txt", ["Sick leave needs a note."])
    cited = {str(kept.doc_id), str(going.doc_id)}
    assert page_queries.live_doc_ids(Workspace.objects.get(pk=workspace.pk), cited) == cited
    document_delete(document=going)
    assert page_queries.live_doc_ids(Workspace.objects.get(pk=workspace.pk), cited) == {str(kept.doc_id)}


def test_a_turn_shown_alone_at_the_end_of_a_stream_reads_the_cited_documents_afresh(user, workspace):
    from tests.factories import document_with_passages
    from workspaces.chats.views import live_doc_ids
    from workspaces.chats.views_fetched import answer_context
    from workspaces.documents.services import document_delete
    from workspaces.models import Workspace

    kept, _ = document_with_passages(workspace, "kept.txt", ["Annual leave is 25 days."])
    going, _ = document_with_passages(workspace, "going.txt", ["Sick leave needs a note."])
    thread = ChatThreadFactory(workspace=workspace, user=user)
    sources = [{"doc_id": str(kept.doc_id)}, {"doc_id": str(going.doc_id)}]
    chat = WorkspaceChatFactory(workspace=workspace, user=user, thread=thread,
                                response={"text": "Leave [1] [2]", "sources": sources})
    held = Workspace.objects.get(pk=workspace.pk)  # as a stream holds it from the question on
    assert live_doc_ids(held, [chat]) == {str(kept.doc_id), str(going.doc_id)}
    document_delete(document=going)
    assert answer_context(held, chat)["live_doc_ids"] == {str(kept.doc_id)}


def test_a_page_of_turns_holds_its_roots_their_visible_versions_and_the_number_of_turns(user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, thread=ChatThreadFactory(workspace=workspace, user=user))
    thread = ChatThreadFactory(workspace=workspace, user=user)
    roots = [WorkspaceChatFactory(workspace=workspace, user=user, thread=thread) for _ in range(5)]
    again = WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, version_of=roots[1])
    WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, version_of=roots[1], include=False)
    WorkspaceChatFactory(workspace=workspace, user=user, thread=thread, include=False)
    newest = page_queries.turn_page_chats(thread, bottom=0, size=3)
    assert [chat.pk for chat in newest] == [roots[2].pk, roots[3].pk, roots[4].pk]
    older = page_queries.turn_page_chats(thread, bottom=3, size=3)
    assert [chat.pk for chat in older] == [roots[0].pk, roots[1].pk, again.pk]
    assert {chat.turns_total for chat in newest + older} == {5}
    assert page_queries.turn_page_chats(thread, bottom=6, size=3) == []


@pytest.mark.parametrize("response", [
    {"sources": [{"doc_id": "a"}, {"doc_id": ""}, {"doc_id": None}, {}, "junk", {"doc_id": 7}, {"doc_id": "a"}]},
    {"sources": "not a list"}, {"sources": None}, {}, [], "text", None,
    {"text": "x [1]", "sources": [{"doc_id": "5b1f7a4e-8f3c-4c39-9d1f-0c9f3d2b7a11", "position": "x"}]},
])
def test_the_cited_documents_read_from_the_json_are_those_of_the_typed_answer(response):
    from workspaces.chats.answer import StoredAnswer

    assert StoredAnswer.cited_doc_ids_in(response) == StoredAnswer.from_json(response).cited_doc_ids


def test_a_page_number_past_any_offset_shows_the_last_page_of_turns(member_client, user, workspace):
    thread = ChatThreadFactory(workspace=workspace, user=user)
    for _ in range(3):
        WorkspaceChatFactory(workspace=workspace, user=user, thread=thread)
    response = member_client.get(chat_url(workspace), {"page": "9" * 25})
    assert response.status_code == 200


@pytest.mark.parametrize(("language", "zone"), [("en", "UTC"), ("de", "Europe/Berlin"), ("en", "Pacific/Auckland")])
def test_the_conversation_rows_are_what_the_url_tag_and_date_filter_give(user, language, zone):
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import timezone, translation

    from workspaces.chats.views import thread_rows

    # A slug holding digits the address pattern is filled from.
    workspace = WorkspaceFactory(name="Team 918273645")
    WorkspaceUserFactory(workspace=workspace, user=user)
    asked = [datetime(2026, 12, 31, 23, 30, tzinfo=UTC), datetime(2026, 3, 1, 0, 15, tzinfo=UTC),
             datetime(2026, 3, 1, 11, 0, tzinfo=UTC)]
    listed = [ChatThreadFactory(workspace=workspace, user=user, title=f"<b>topic {n}</b>", last_asked_at=when)
              for n, when in enumerate(asked)]
    template = Template("{% for item in listed %}{% url 'workspaces:chat_thread' workspace.slug item.pk %}|"
                        "{{ item.title }}|{{ item.last_asked_at|date:'j M Y' }}|"
                        "{% if item.pk == open.pk %}1{% endif %};{% endfor %}")
    with translation.override(language), timezone.override(zone):
        expected = template.render(Context({"listed": listed, "workspace": workspace, "open": listed[1]}))
        rows = thread_rows(workspace, Paginator(listed, 30).page(1), listed[1])
        shown = Template("{% for href, title, day, current in rows %}{{ href }}|{{ title }}|{{ day }}|"
                         "{% if current %}1{% endif %};{% endfor %}").render(Context({"rows": rows}))
    assert shown == expected


def test_a_conversation_opened_from_a_later_page_of_the_list_keeps_that_page(member_client, user, workspace):
    listed = [ChatThreadFactory(workspace=workspace, user=user, title=f"topic {index:02d}") for index in range(35)]
    older = member_client.get(chat_url(workspace), {"threads": 2})
    oldest = listed[0]
    link = f"/w/{workspace.slug}/chat/t/{oldest.pk}/?threads=2"
    assert f'href="{link}"' in older.content.decode()
    opened = member_client.get(link)
    assert opened.context["thread"] == oldest and opened.context["thread_page"].number == 2
    assert f'<a href="{link}" aria-current="page">' in opened.content.decode()
