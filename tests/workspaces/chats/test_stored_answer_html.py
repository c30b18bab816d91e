"""An answer's Markdown is rendered once, when the answer ends, on every path it ends by (the page
without JavaScript, the page's stream, the API, the OpenAI-compatible API), and the chat page shows
that stored HTML (issue 30): the same HTML as rendering it again, as safe."""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from tests.factories import WorkspaceChatFactory, make_api_key
from tests.workspaces.chats.asking import ANSWER_SENTENCE, ask, chat_url
from workspaces.chats.citations import answer_html, cited_sources, stored_answer_html
from workspaces.chats.rendering import render_markdown
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

PROMPT = "How long does the warranty cover water damage?"


def api_post(user, path, body):
    _, secret = make_api_key(user, scopes=["ask"])
    return Client().post(path, body, content_type="application/json", headers={"Authorization": f"Bearer {secret}"})


def asked_on_the_page(client, workspace, user):
    ask(client, workspace, PROMPT)


def asked_on_the_stream(client, workspace, user):
    b"".join(client.post(f"/w/{workspace.slug}/chat/stream/", {"prompt": PROMPT}).streaming_content)


def asked_through_the_api(client, workspace, user):
    assert api_post(user, f"/api/v1/workspaces/{workspace.slug}/chats", {"prompt": PROMPT}).status_code == 200


def asked_through_the_api_streaming(client, workspace, user):
    response = api_post(user, f"/api/v1/workspaces/{workspace.slug}/chats?stream=true", {"prompt": PROMPT})
    b"".join(response.streaming_content)


def asked_through_the_openai_api(client, workspace, user):
    body = {"model": workspace.slug, "messages": [{"role": "user", "content": PROMPT}]}
    assert api_post(user, "/api/openai/v1/chat/completions", body).status_code == 200


@pytest.mark.parametrize("asked", [asked_on_the_page, asked_on_the_stream, asked_through_the_api,
                                   asked_through_the_api_streaming, asked_through_the_openai_api])
def test_every_way_of_asking_stores_the_answers_html_when_it_ends(member_client, user, workspace, manual, asked):
    asked(member_client, workspace, user)
    chat = WorkspaceChat.objects.get()
    assert chat.state == "complete" and ANSWER_SENTENCE in chat.answer.text
    assert chat.text_html == render_markdown(chat.answer.text) and ANSWER_SENTENCE in chat.text_html


def test_the_page_shows_the_stored_html_as_rendering_it_again_would(member_client, user, workspace, manual):
    ask(member_client, workspace, PROMPT)
    chat = WorkspaceChat.objects.get()
    live = {str(manual.doc_id)}
    cited = cited_sources(chat, workspace, live)
    assert stored_answer_html(chat, cited) == answer_html(chat.answer.text, cited)
    assert 'class="cite"' in stored_answer_html(chat, cited)  # the chips are added as it is shown
    WorkspaceChat.objects.filter(pk=chat.pk).update(text_html="<p>As stored when it ended.</p>")
    assert "As stored when it ended." in member_client.get(chat_url(workspace)).content.decode()


def test_an_answer_without_stored_html_is_rendered_as_before(member_client, user, workspace):
    WorkspaceChatFactory(workspace=workspace, user=user, response={"text": "**Bold** words", "sources": []})
    assert WorkspaceChat.objects.get().text_html is None
    assert "<strong>Bold</strong> words" in member_client.get(chat_url(workspace)).content.decode()


def test_the_stored_html_is_sanitised_markup(user, workspace):
    from workspaces.chats import services

    chat = WorkspaceChatFactory(workspace=workspace, user=user, state="answering",
                                response={"text": "", "state": "answering"})

    class Stream:
        sources, provider, model, usage, relevance = [], "retrieval", "", {}, None
        retrieval_ms, first_token_ms, corrected_prompt = 1, None, ""

    text = "[click](javascript:alert(1)) <script>alert('answer')</script> <b>bold</b> *fine*"
    services._store_end(chat, Stream(), text=text, state="complete", reason="", started=0.0)
    chat.refresh_from_db()
    assert "<script" not in chat.text_html and "javascript:" not in chat.text_html and "<b>" not in chat.text_html
    assert "<em>fine</em>" in chat.text_html and chat.text_html == render_markdown(text)


def test_the_migration_fills_every_finished_answer_and_keeps_every_row(user, workspace):
    fill = importlib.import_module("workspaces.migrations.0023_pages_answer_html").fill_text_html
    done = [WorkspaceChatFactory(workspace=workspace, user=user, response={"text": f"Answer *{number}*"})
            for number in range(3)]
    writing = WorkspaceChatFactory(workspace=workspace, user=user, state="answering",
                                   response={"text": "", "state": "answering"})
    odd = WorkspaceChatFactory(workspace=workspace, user=user, response=json.loads('"not an object"'))
    fill(apps, None)
    rows = {chat.pk: chat for chat in WorkspaceChat.objects.all()}
    assert len(rows) == 5
    for number, chat in enumerate(done):
        assert rows[chat.pk].text_html == f"<p>Answer <em>{number}</em></p>"
    assert rows[writing.pk].text_html is None and rows[odd.pk].text_html == ""
