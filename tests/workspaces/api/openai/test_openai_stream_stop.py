"""A client that hangs up mid-stream: the chat is stored as stopped, as on the site."""

import pytest

from tests.llm_server import Behaviour
from tests.workspaces.api.openai.conftest import PROMPT, key_for
from workspaces.chats.services import STOPPED_REASON
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def test_hanging_up_mid_stream_stores_what_arrived_as_stopped(client, user, workspace, model_server):
    model_server.behaviour = Behaviour.STREAM_STALL
    response = client.post(
        "/api/openai/v1/chat/completions", {"model": workspace.slug, "stream": True,
                                            "messages": [{"role": "user", "content": PROMPT}]},
        content_type="application/json", headers={"Authorization": f"Bearer {key_for(user)}"},
    )
    assert response["Content-Type"].startswith("text/event-stream")
    events = iter(response.streaming_content)
    assert b'"role": "assistant"' in next(events)
    assert b'"content": "Answer' in next(events)
    response._iterator.close()  # what the WSGI server does when the client's socket is gone
    chat = WorkspaceChat.objects.get()
    assert chat.state == "stopped" and chat.answer.reason == STOPPED_REASON
    assert chat.answer.text.startswith("Answer")
