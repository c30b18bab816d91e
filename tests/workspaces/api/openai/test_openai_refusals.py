"""What the OpenAI-compatible endpoint refuses, and how: OpenAI's error shape with the status an
OpenAI client expects (401 key, 403 scope or rights, 404 model, 429 limits, 400 body), never a 500."""

import json
from datetime import timedelta
from urllib.parse import quote

import httpx
import openai
import pytest
from django.utils import timezone

from accounts.api_keys import SCOPE_ASK, SCOPE_READ, SCOPE_WRITE, ApiKey, api_key_revoke
from accounts.roles import WorkspaceRole
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceUserFactory, make_api_key
from tests.llm_server import Behaviour
from tests.workspaces.api.openai.conftest import PROMPT, client_for, key_for
from workspaces.api.openai import requests as completion_requests
from workspaces.api.openai import views
from workspaces.chats import limits
from workspaces.models import WorkspaceChat

QUESTION = [{"role": "user", "content": PROMPT}]


@pytest.mark.django_db(transaction=True)
class TestRefusalsTheOfficialClientRaises:
    def ask(self, live_server, secret, model):
        return client_for(live_server, secret).chat.completions.create(model=model, messages=QUESTION)

    def test_no_key_and_an_unknown_key_are_401(self, live_server, user, workspace):
        response = httpx.get(f"{live_server.url}/api/openai/v1/models")
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
        with pytest.raises(openai.AuthenticationError):
            self.ask(live_server, "dct_not-a-key", workspace.slug)
        assert not WorkspaceChat.objects.exists()

    def test_a_revoked_key_an_expired_key_and_a_suspended_users_key_are_401(self, live_server, user, workspace):
        key, secret = make_api_key(user, scopes=[SCOPE_ASK])
        self.ask(live_server, secret, workspace.slug)
        api_key_revoke(key=key, actor=user)
        with pytest.raises(openai.AuthenticationError):
            self.ask(live_server, secret, workspace.slug)

        key, secret = make_api_key(user, scopes=[SCOPE_ASK])
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        with pytest.raises(openai.AuthenticationError):
            client_for(live_server, secret).models.list()

        secret = key_for(user)
        user.suspended = True
        user.save()
        with pytest.raises(openai.AuthenticationError):
            self.ask(live_server, secret, workspace.slug)
        with pytest.raises(openai.AuthenticationError):
            client_for(live_server, secret).models.list()
        assert WorkspaceChat.objects.count() == 1

    def test_losing_the_membership_takes_the_model_away_at_the_next_request(self, live_server, user, workspace):
        client = client_for(live_server, key_for(user, workspaces=[workspace]))
        assert [model.id for model in client.models.list()] == [workspace.slug]
        workspace.memberships.filter(user=user).delete()
        assert list(client.models.list()) == []
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model=workspace.slug, messages=QUESTION)

    def test_a_service_accounts_key_asks_the_workspaces_it_belongs_to(self, live_server, workspace):
        robot = UserFactory(username="robot", is_service_account=True)
        WorkspaceUserFactory(user=robot, workspace=workspace, role=WorkspaceRole.VIEWER)
        client = client_for(live_server, key_for(robot))
        assert [model.id for model in client.models.list()] == [workspace.slug]
        client.chat.completions.create(model=workspace.slug, messages=QUESTION)
        assert WorkspaceChat.objects.get().user == robot

    def test_a_key_without_the_ask_scope_is_403_even_for_the_model_list(self, live_server, user, workspace):
        secret = key_for(user, scopes=[SCOPE_READ, SCOPE_WRITE])
        with pytest.raises(openai.PermissionDeniedError) as refused:
            client_for(live_server, secret).models.list()
        assert refused.value.body["message"] == views.SCOPE_MISSING
        with pytest.raises(openai.PermissionDeniedError):
            self.ask(live_server, secret, workspace.slug)
        assert not WorkspaceChat.objects.exists()

    def test_a_workspace_outside_the_keys_restriction_or_the_users_rights_is_an_unknown_model(
        self, live_server, user, workspace
    ):
        other = WorkspaceFactory(name="Other team")
        also_member = WorkspaceFactory(name="Also mine")
        WorkspaceUserFactory(user=user, workspace=also_member)
        secret = key_for(user, workspaces=[workspace])
        for model in (also_member.slug, other.slug, "no-such-workspace", "nul\x00inside"):
            with pytest.raises(openai.NotFoundError) as refused:
                self.ask(live_server, secret, model)
            assert refused.value.code == "not_found"
            with pytest.raises(openai.NotFoundError):
                client_for(live_server, secret).models.retrieve(model)
        assert not WorkspaceChat.objects.exists()

    def test_the_daily_quota_and_the_rate_limit_are_429(self, live_server, user, workspace, settings):
        secret = key_for(user)
        user.daily_message_limit = 1
        user.save()
        self.ask(live_server, secret, workspace.slug)
        with pytest.raises(openai.RateLimitError) as refused:
            self.ask(live_server, secret, workspace.slug)
        assert refused.value.code == "quota"
        assert refused.value.response.headers["x-should-retry"] == "false"
        user.daily_message_limit = 0
        user.save()
        settings.CHAT_RATE_LIMIT_PER_MINUTE = 1
        with pytest.raises(openai.RateLimitError) as refused:
            self.ask(live_server, secret, workspace.slug)
        assert refused.value.code == "rate_limited"
        assert WorkspaceChat.objects.count() == 1

    def test_a_failing_model_server_is_a_502_and_a_stored_failed_chat(self, live_server, user, workspace,
                                                                      model_server):
        model_server.behaviour = Behaviour.SERVER_ERROR
        client = client_for(live_server, key_for(user))
        with pytest.raises(openai.InternalServerError) as refused:
            client.chat.completions.create(model=workspace.slug, messages=QUESTION)
        assert refused.value.status_code == 502 and refused.value.code == "provider_failed"
        with pytest.raises(openai.APIError, match="The language model server answered 500"):
            list(client.chat.completions.create(model=workspace.slug, messages=QUESTION, stream=True))
        assert list(WorkspaceChat.objects.values_list("state", flat=True)) == ["failed", "failed"]

    def test_a_private_workspace_stores_the_chat_as_private(self, live_server, user, workspace):
        workspace.private_chats = True
        workspace.save()
        self.ask(live_server, key_for(user), workspace.slug)
        assert WorkspaceChat.objects.get().private is True


URL = "/api/openai/v1/chat/completions"
DEEP = b"[" * 100_000 + b"]" * 100_000


def bad_bodies(slug):
    def body(**fields):
        return json.dumps({"model": slug, **fields}).encode()

    return [
        (b"", completion_requests.BODY_NOT_JSON),
        (b"not json", completion_requests.BODY_NOT_JSON),
        (b"\xff\xfe\x00", completion_requests.BODY_NOT_JSON),
        (b"[]", completion_requests.BODY_NOT_JSON),
        (b"null", completion_requests.BODY_NOT_JSON),
        (DEEP, completion_requests.BODY_NOT_JSON),
        (json.dumps({"model": 3, "messages": QUESTION}).encode(), completion_requests.MODEL_MISSING),
        (json.dumps({"messages": QUESTION}).encode(), completion_requests.MODEL_MISSING),
        (body(), completion_requests.MESSAGES_MISSING),
        (body(messages=[]), completion_requests.MESSAGES_MISSING),
        (body(messages="hello"), completion_requests.MESSAGES_MISSING),
        (body(messages=["hello"]), None),
        (body(messages=[{"role": "wizard", "content": "hi"}]), None),
        (body(messages=[{"role": "user", "content": 5}]), None),
        (body(messages=[{"role": "user"}]), None),
        (body(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]),
         completion_requests.CONTENT_NOT_TEXT % {"index": 0}),
        (body(messages=[{"role": "assistant", "content": "I answer myself."}]), completion_requests.LAST_NOT_USER),
        (body(messages=QUESTION, stream="yes"), completion_requests.STREAM_NOT_BOOLEAN),
        (body(messages=QUESTION, stream_options=5), completion_requests.STREAM_OPTIONS_MALFORMED),
        (body(messages=QUESTION, stream_options={"include_usage": "yes"}),
         completion_requests.STREAM_OPTIONS_MALFORMED),
        (body(messages=[{"role": "user", "content": "   "}]), limits.PROMPT_EMPTY),
        (body(messages=[{"role": "user", "content": "nul \x00 inside"}]), None),
    ]


@pytest.mark.django_db
def test_bad_bodies_are_400_in_openais_shape_and_store_nothing(client, user, workspace):
    headers = {"Authorization": f"Bearer {key_for(user)}"}
    for raw, message in bad_bodies(workspace.slug):
        response = client.post(URL, raw, content_type="application/json", headers=headers)
        assert response.status_code == 400, raw[:80]
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["code"] == "invalid"
        if message:
            assert error["message"] == message
    assert not WorkspaceChat.objects.exists()


@pytest.mark.django_db
def test_other_methods_are_405_in_openais_shape(client, user):
    headers = {"Authorization": f"Bearer {key_for(user)}"}
    assert client.get(URL, headers=headers).json()["error"]["code"] == "method_not_allowed"
    assert client.delete("/api/openai/v1/models", headers=headers).status_code == 405


@pytest.mark.django_db
def test_a_signed_in_browser_without_a_key_is_401_the_session_is_never_read(member_client, workspace):
    assert member_client.get("/api/openai/v1/models").status_code == 401
    response = member_client.post(URL, {"model": workspace.slug, "messages": QUESTION},
                                  content_type="application/json")
    assert response.status_code == 401 and not WorkspaceChat.objects.exists()


@pytest.mark.django_db
def test_model_names_no_workspace_has_are_404_never_500(client, user, workspace):
    headers = {"Authorization": f"Bearer {key_for(user)}"}
    for model in ("nul\x00inside", "x" * 5000, "..", "résumé", " "):
        body = {"model": model, "messages": QUESTION}
        response = client.post(URL, body, content_type="application/json", headers=headers)
        assert response.status_code == 404 or response.json()["error"]["message"] == (
            completion_requests.MODEL_MISSING), model[:20]
        assert client.get(f"/api/openai/v1/models/{quote(model)}", headers=headers).status_code == 404


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_413(client, user, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"model": workspace.slug, "messages": [{"role": "user", "content": "x" * 2000}]}
    response = client.post(URL, body, content_type="application/json",
                           headers={"Authorization": f"Bearer {key_for(user)}"})
    assert response.status_code == 413 and response.json()["error"]["message"] == views.BODY_TOO_LARGE
