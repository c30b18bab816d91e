"""The openai-compatible provider, against a real HTTP server speaking the protocol on 127.0.0.1."""

import pytest

from settings_app.services import setting_set
from tests.factories import WorkspaceChatFactory
from tests.llm_server import Behaviour, fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces.chats import llm
from workspaces.chats.answering import NO_ANSWER
from workspaces.models import ChatMode, WorkspaceChat

pytestmark = pytest.mark.django_db

PROMPT = "How long does the warranty cover water damage?"



def ask(client, workspace, prompt=PROMPT):
    return client.post(f"/w/{workspace.slug}/chat/", {"prompt": prompt})


def test_the_answer_comes_from_the_server_with_the_retrieved_passages_as_sources(member_client, workspace, configured):
    assert ask(member_client, workspace).status_code == 302
    chat = WorkspaceChat.objects.get()
    assert chat.response["text"].startswith("Answer from local-model: How long does the warranty")
    assert chat.response["provider"] == "openai-compatible" and chat.response["model"] == "local-model"
    assert [(s["filename"], s["position"]) for s in chat.response["sources"]] == [("manual.pdf", 4)]

    sent = configured.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "local-model"
    assert sent.authorization == "Bearer sk-test-secret-key"
    system = sent.messages[0]
    assert system["role"] == "system" and "The warranty covers water damage for three years." in system["content"]
    assert sent.messages[-1] == {"role": "user", "content": PROMPT}


def test_the_workspace_system_prompt_model_and_provider_override_the_settings(member_client, workspace, configured):
    setting_set(label="chat_provider", value="retrieval")
    workspace.chat_provider = "openai-compatible"
    workspace.chat_model = "workspace-model"
    workspace.system_prompt = "Answer like a pirate."
    workspace.save()
    ask(member_client, workspace)
    sent = configured.requests[-1]
    assert sent.body["model"] == "workspace-model"
    assert sent.messages[0]["content"].startswith("Answer like a pirate.")


def test_chat_mode_sends_the_last_history_length_included_chats(member_client, user, workspace, configured):
    workspace.history_length = 2
    workspace.save()
    for number in range(4):
        WorkspaceChatFactory(workspace=workspace, user=user, prompt=f"earlier {number}",
                             response={"text": f"reply {number}", "sources": []})
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="cleared", include=False)
    ask(member_client, workspace)
    contents = [m["content"] for m in configured.requests[-1].messages[1:]]
    assert contents == ["earlier 2", "reply 2", "earlier 3", "reply 3", PROMPT]


def test_query_mode_sends_no_history_and_refuses_without_passages(member_client, user, workspace, configured):
    workspace.chat_mode = ChatMode.QUERY
    workspace.save()
    WorkspaceChatFactory(workspace=workspace, user=user, prompt="earlier", response={"text": "reply", "sources": []})
    ask(member_client, workspace)
    assert [m["role"] for m in configured.requests[-1].messages] == ["system", "user"]
    requests_before = len(configured.requests)
    ask(member_client, workspace, "Who painted the Mona Lisa?")
    assert WorkspaceChat.objects.order_by("id").last().response["text"] == NO_ANSWER
    assert len(configured.requests) == requests_before


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (Behaviour.SERVER_ERROR, llm.bad_status_message(500)),
        (Behaviour.UNAUTHORIZED, llm.bad_status_message(401)),
        (Behaviour.MALFORMED_JSON, llm.MESSAGE_MALFORMED),
        (Behaviour.MISSING_CHOICES, llm.MESSAGE_EMPTY_ANSWER),
        (Behaviour.SLOW, llm.MESSAGE_TIMEOUT),
    ],
)
def test_server_failures_become_a_clear_message_keep_the_prompt_and_store_the_question_as_failed(
    member_client, workspace, configured, behaviour, message
):
    configured.behaviour = behaviour
    response = ask(member_client, workspace)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert PROMPT in body  # kept in the form
    assert "sk-test-secret-key" not in body
    chat = WorkspaceChat.objects.get()
    assert (chat.state, chat.answer.reason, chat.answer.text) == ("failed", message, "")


def test_a_server_that_is_down_is_reported_and_the_prompt_kept(member_client, workspace, configured):
    configured.stop()
    response = ask(member_client, workspace)
    assert llm.MESSAGE_CANNOT_CONNECT in response.content.decode()
    assert PROMPT in response.content.decode()
    assert WorkspaceChat.objects.get().answer.reason == llm.MESSAGE_CANNOT_CONNECT


def test_an_unconfigured_server_is_reported(member_client, workspace, configured):
    setting_set(label="llm_base_url", value="")
    response = ask(member_client, workspace)
    assert llm.MESSAGE_NOT_CONFIGURED in response.content.decode()
    assert WorkspaceChat.objects.get().state == "failed"
