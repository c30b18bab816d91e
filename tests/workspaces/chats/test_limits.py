"""Limits on asking: prompt length and content, questions a minute and a day, also under a race."""


import pytest
from django.test import Client

from settings_app.services import setting_set
from tests.concurrency import at_once
from tests.factories import DocumentPassageFactory, UserFactory, WorkspaceDocumentFactory, WorkspaceUserFactory
from tests.workspaces.chats.asking import ANSWER_SENTENCE, ask, chat_url
from workspaces.chats.limits import PROMPT_TOO_LONG, RATE_LIMITED, ChatRefused
from workspaces.chats.services import chat_ask
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def test_an_overlong_prompt_is_refused_with_the_limit_and_kept_in_the_form(member_client, workspace, manual):
    setting_set(label="max_prompt_chars", value=50)
    prompt = "warranty " * 10
    response = ask(member_client, workspace, prompt)
    assert response.status_code == 400
    body = response.content.decode()
    assert PROMPT_TOO_LONG % {"limit": 50, "length": len(prompt.strip())} in body
    assert prompt.strip() in body
    assert not WorkspaceChat.objects.exists()


def test_the_chat_service_refuses_an_overlong_prompt_with_the_words_the_page_shows(user, workspace):
    setting_set(label="max_prompt_chars", value=50)
    prompt = "warranty " * 10
    with pytest.raises(ChatRefused) as refused:
        chat_ask(workspace=workspace, user=user, prompt=prompt)
    assert refused.value.message == PROMPT_TOO_LONG % {"limit": 50, "length": len(prompt.strip())}
    assert not WorkspaceChat.objects.exists()


def test_an_empty_prompt_is_refused(member_client, workspace):
    assert ask(member_client, workspace, "   ").status_code == 400
    assert not WorkspaceChat.objects.exists()


def test_asking_too_fast_is_refused_with_429(member_client, user, workspace, settings, manual):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        assert ask(member_client, workspace, "warranty?").status_code == 302
    response = ask(member_client, workspace, "warranty again?")
    assert response.status_code == 429
    assert RATE_LIMITED % {"limit": 2} in response.content.decode()
    assert WorkspaceChat.objects.count() == 2


def test_the_daily_message_limit_setting_caps_questions(member_client, user, workspace, manual):
    setting_set(label="daily_message_limit", value=1)
    ask(member_client, workspace, "warranty?")
    response = ask(member_client, workspace, "warranty again?")
    assert response.status_code == 429
    assert "You have asked 1 question today, your daily limit. You can ask again from 00:00 (UTC)" \
        in response.content.decode()


def test_a_prompt_with_a_nul_character_is_refused_not_a_500(member_client, workspace):
    response = ask(member_client, workspace, "warranty\x00?")
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not WorkspaceChat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_questions_sent_at_the_same_moment_cannot_exceed_the_rate_limit(settings):
    """Each request on its own thread and database connection."""


    from tests.factories import WorkspaceFactory

    settings.CHAT_RATE_LIMIT_PER_MINUTE = 3
    workspace = WorkspaceFactory(name="Racing")
    member = UserFactory(username="racer")
    WorkspaceUserFactory(user=member, workspace=workspace)
    DocumentPassageFactory(document=WorkspaceDocumentFactory(workspace=workspace), text=ANSWER_SENTENCE)
    clients = [Client() for _ in range(8)]
    for client in clients:
        client.force_login(member)
    codes = at_once(
        lambda number: clients[number].post(chat_url(workspace), {"prompt": "warranty water damage?"}).status_code, 8
    )
    assert WorkspaceChat.objects.filter(user=member).count() == 3
    assert sorted(codes) == [302] * 3 + [429] * 5
