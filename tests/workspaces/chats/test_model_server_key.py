"""The model server key goes only where it was configured (issue 22, must-have 2), and saving the
Language model page is audited: against the fake model server (the configured one) and a second
fake on another port (an address an admin types)."""

import html

import pytest

from accounts.models import AuditAction, AuditEvent
from settings_app.models import SystemSetting
from settings_app.services import setting_get, setting_set, settings_create_missing
from tests.llm_server import Behaviour, FakeLLMServer, fake_llm_server  # noqa: F401  (the llm_server fixture)
from tests.llm_server_embeddings import embeddings_served_by
from workspaces.chats import model_setup

pytestmark = pytest.mark.django_db

PAGE = "/admin/language-model/"
STORED_KEY = "sk-stored-0123456789abcdef"
TYPED_KEY = "sk-typed-fedcba9876543210"
SECRET_IN_BODY = "sk-internal-5ecret-0f-another-server"


@pytest.fixture
def configured(llm_server, settings):
    """The saved model server, with LLM_API_KEY set for it."""
    settings.LLM_API_KEY = STORED_KEY
    setting_set(label="llm_base_url", value=llm_server.base_url)
    return llm_server


@pytest.fixture
def typed():
    """Another server, on another port: an address the admin types on the page."""
    server = FakeLLMServer().start()
    yield server
    server.stop()


def form_for(server, **extra):
    return {"provider": "openai-compatible", "base_url": server.base_url, "model": "fake-model", **extra}


def test_list_models_and_test_connection_to_a_typed_address_send_no_stored_key(admin_client, configured, typed):
    admin_client.post(PAGE, form_for(typed, action="list"))
    admin_client.post(PAGE, form_for(typed, action="test"))
    assert {(request.method, request.path) for request in typed.requests} == {
        ("GET", "/v1/models"), ("POST", "/v1/chat/completions")}
    assert [request.authorization for request in typed.requests] == [None] * len(typed.requests)


def test_the_configured_address_still_gets_the_stored_key(admin_client, configured):
    configured.api_key = STORED_KEY
    page = admin_client.post(PAGE, form_for(configured, action="test")).content.decode()
    assert "Connected: fake-model answered in" in page
    assert {request.authorization for request in configured.requests} == {f"Bearer {STORED_KEY}"}


def test_a_typed_key_goes_to_the_typed_address_only_and_is_never_shown_or_stored(admin_client, configured, typed):
    typed.api_key = TYPED_KEY
    response = admin_client.post(PAGE, form_for(typed, action="test", typed_key=TYPED_KEY))
    page = response.content.decode()
    assert "Connected: fake-model answered in" in page
    assert {request.authorization for request in typed.requests} == {f"Bearer {TYPED_KEY}"}
    assert configured.requests == []
    assert TYPED_KEY not in page and 'type="password"' in page
    assert not SystemSetting.objects.filter(value__contains=TYPED_KEY).exists()


def test_a_server_wanting_a_key_at_a_typed_address_is_told_why_it_got_none(admin_client, configured, typed):
    typed.api_key = "sk-whatever"
    page = html.unescape(admin_client.post(PAGE, form_for(typed, action="test")).content.decode())
    assert "failed: it answered 401 Unauthorized." in page
    assert model_setup.KEY_NOT_SENT_HINT.format(origin=f"http://127.0.0.1:{configured.port}") in page


def test_the_settings_admin_checks_a_new_address_without_the_stored_key(admin_client, configured, typed):
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_model", value="fake-model")
    settings_create_missing()
    row = SystemSetting.objects.get(label="llm_base_url")
    admin_client.post(f"/admin/settings_app/systemsetting/{row.pk}/change/", {"value": typed.base_url})
    assert typed.requests and {request.authorization for request in typed.requests} == {None}


@pytest.mark.parametrize("action", ["list", "test"])
def test_an_error_body_of_another_server_is_not_shown_on_the_page(admin_client, configured, typed, action):
    typed.behaviour = Behaviour.SERVER_ERROR
    typed.error_message = f"internal error, token {SECRET_IN_BODY}"
    response = admin_client.post(PAGE, form_for(typed, action=action))
    page = html.unescape(response.content.decode())
    assert SECRET_IN_BODY not in page and "internal error" not in page
    assert response.status_code == 400
    assert "it answered 500 Internal Server Error." in page


def test_a_redirect_from_the_configured_server_is_reported_not_followed(admin_client, configured, typed):
    configured.behaviour = Behaviour.REDIRECT
    configured.redirect_to = typed.base_url + "/models"
    page = html.unescape(admin_client.get(PAGE).content.decode())
    assert "it answered 302 Found." in page
    assert typed.requests == []


def test_saving_the_page_audits_who_changed_what_and_never_a_key(admin_client, admin_user, configured, typed):
    typed.api_key = TYPED_KEY
    admin_client.post(PAGE, form_for(typed, action="save", typed_key=TYPED_KEY))
    assert setting_get("llm_base_url") == typed.base_url
    (event,) = AuditEvent.objects.filter(action=AuditAction.MODEL_CHANGED)
    assert event.user == admin_user and event.ip_address == "127.0.0.1"
    assert event.detail == (
        "chat_provider: “retrieval” -> “openai-compatible”; "
        f"llm_base_url: “{configured.base_url}” -> “{typed.base_url}”; llm_model: (empty) -> “fake-model”"
    )
    assert TYPED_KEY not in event.detail and STORED_KEY not in event.detail


def test_saving_without_a_change_records_nothing(admin_client, configured):
    model_setup.llm_setup_save(provider="openai-compatible", base_url=configured.base_url, model="fake-model")
    AuditEvent.objects.all().delete()
    admin_client.post(PAGE, form_for(configured, action="save"))
    assert not AuditEvent.objects.filter(action=AuditAction.MODEL_CHANGED).exists()


def test_the_bytes_of_a_server_that_does_not_speak_http_are_not_shown(admin_client, configured, typed):
    typed.behaviour = Behaviour.NOT_HTTP
    typed.error_message = f"wrong password for {SECRET_IN_BODY}"
    page = html.unescape(admin_client.post(PAGE, form_for(typed, action="test")).content.decode())
    assert SECRET_IN_BODY not in page and "wrong password" not in page
    assert "failed: the connection broke or the server does not speak HTTP" in page


def test_with_its_origin_pinned_in_the_environment_the_key_does_not_follow_a_saved_new_address(
    settings, configured, typed
):
    """An admin who saves another server address cannot move a key the operator pinned."""
    settings.LLM_API_KEY_ORIGIN = f"http://127.0.0.1:{configured.port}"
    setting_set(label="llm_base_url", value=typed.base_url)
    from workspaces.chats.llm import stored_key

    key = stored_key()
    assert key is not None and not key.sent_to(typed.base_url + "/chat/completions")
    assert key.sent_to(configured.base_url + "/chat/completions")


def test_with_its_origin_pinned_the_embedding_key_goes_nowhere_else(settings, configured, typed):
    from workspaces.retrieval.embeddings import embed

    settings.EMBEDDING_API_KEY, settings.EMBEDDING_API_KEY_ORIGIN = STORED_KEY, configured.base_url
    embeddings_served_by(typed.base_url)
    embed(["annual leave"])
    assert typed.requests and {request.authorization for request in typed.requests} == {None}


def test_the_deploy_check_warns_when_a_server_key_is_not_pinned_to_its_origin(settings):
    from workspaces.chats.checks import key_origin_check

    settings.LLM_API_KEY, settings.LLM_API_KEY_ORIGIN = STORED_KEY, ""
    settings.EMBEDDING_API_KEY = ""
    assert [warning.id for warning in key_origin_check()] == ["chats.W001"]
    settings.LLM_API_KEY_ORIGIN = "https://models.internal:443"
    assert key_origin_check() == []
