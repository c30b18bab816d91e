"""Setting up the language model (Admin → Language model, the settings admin, the workspace
admin), against the fake model server; and the usage summary and chat log columns."""

import html

import pytest

from settings_app.models import SystemSetting
from settings_app.services import setting_get, setting_set, settings_create_missing
from tests.factories import UserFactory, WorkspaceChatFactory, WorkspaceFactory
from tests.llm_server import Behaviour, fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces.chats import model_setup

pytestmark = pytest.mark.django_db

PAGE = "/admin/language-model/"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:11434/v1", model_setup.URL_NO_SCHEME),
        ("ftp://models.example/v1", model_setup.URL_NO_SCHEME),
        ("http://user:secret@models.example/v1", model_setup.URL_CREDENTIALS),
        ("http:///v1", model_setup.URL_NO_HOST),
        ("http://models.example:port/v1", model_setup.URL_NO_HOST),
    ],
)
def test_a_base_url_without_scheme_or_host_or_with_credentials_is_refused(url, message):
    with pytest.raises(model_setup.ModelSetupError) as refusal:
        model_setup.base_url_check(url)
    assert refusal.value.message == message


def test_the_servers_models_are_listed(llm_server):
    assert model_setup.models_list(base_url=llm_server.base_url + "/") == ["fake-model"]


def test_a_base_url_without_v1_gets_the_exact_error_and_a_hint(llm_server):
    root = llm_server.base_url.removesuffix("/v1")
    with pytest.raises(model_setup.ModelSetupError) as refusal:
        model_setup.models_list(base_url=root)
    assert "it answered 404 Not Found." in refusal.value.message
    assert f"try {root}/v1" in refusal.value.message


def test_an_unreachable_server_is_reported_with_its_reason(llm_server):
    url = llm_server.base_url
    llm_server.stop()
    with pytest.raises(model_setup.ModelSetupError) as refusal:
        model_setup.models_list(base_url=url)
    assert "could not connect" in refusal.value.message


def test_test_connection_reports_the_latency_or_the_status_and_its_reason(llm_server):
    report = model_setup.connection_test(base_url=llm_server.base_url, model="fake-model")
    assert report.latency_ms >= 0 and report.model == "fake-model" and report.reply.startswith("Answer from")
    llm_server.api_key = "sk-right"
    with pytest.raises(model_setup.ModelSetupError) as refusal:
        model_setup.connection_test(base_url=llm_server.base_url, model="fake-model", typed_key="sk-wrong")
    assert refusal.value.message == model_setup.TEST_FAILED.format(
        url=f"{llm_server.base_url}/chat/completions", detail="it answered 401 Unauthorized")


def test_choosing_the_model_server_without_a_model_or_with_one_it_lacks_is_refused_and_nothing_saved(llm_server):
    with pytest.raises(model_setup.ModelSetupError, match="Choose a model"):
        model_setup.llm_setup_save(provider="openai-compatible", base_url=llm_server.base_url, model="")
    with pytest.raises(model_setup.ModelSetupError) as refusal:
        model_setup.llm_setup_save(provider="openai-compatible", base_url=llm_server.base_url, model="gpt-9")
    assert refusal.value.message == "The server does not offer a model named “gpt-9”. It offers: fake-model."
    assert setting_get("chat_provider") == "retrieval" and setting_get("llm_base_url") == ""


def test_a_consistent_choice_saves_provider_address_and_model_together(llm_server):
    model_setup.llm_setup_save(provider="openai-compatible", base_url=llm_server.base_url + "/", model="fake-model")
    assert (setting_get("chat_provider"), setting_get("llm_base_url"), setting_get("llm_model")) == (
        "openai-compatible", llm_server.base_url, "fake-model")


def test_the_admin_page_lists_the_models_tests_and_saves(admin_client, llm_server):
    setting_set(label="llm_base_url", value=llm_server.base_url)
    page = admin_client.get(PAGE).content.decode()
    assert '<option value="fake-model">fake-model</option>' in page and "offers 1 model" in page

    form = {"provider": "openai-compatible", "base_url": llm_server.base_url, "model": "fake-model"}
    tested = admin_client.post(PAGE, {**form, "action": "test"}).content.decode()
    assert "Connected: fake-model answered in" in tested
    assert setting_get("chat_provider") == "retrieval"  # testing saves nothing

    saved = admin_client.post(PAGE, {**form, "action": "save"})
    assert saved.status_code == 302
    assert setting_get("chat_provider") == "openai-compatible" and setting_get("llm_model") == "fake-model"


def test_the_admin_page_shows_why_a_choice_is_refused(admin_client, llm_server):
    response = admin_client.post(PAGE, {"provider": "openai-compatible", "base_url": "localhost:8765/v1",
                                        "model": "fake-model", "action": "save"})
    assert response.status_code == 400
    assert model_setup.URL_NO_SCHEME in response.content.decode()


def test_only_admins_set_up_the_model(manager_client):
    assert manager_client.get(PAGE).status_code == 403


def test_the_settings_admin_refuses_the_model_server_provider_without_a_reachable_model(admin_client):
    settings_create_missing()
    row = SystemSetting.objects.get(label="chat_provider")
    response = admin_client.post(f"/admin/settings_app/systemsetting/{row.pk}/change/", {"value": "openai-compatible"})
    assert response.status_code == 200
    assert model_setup.URL_REQUIRED in html.unescape(response.content.decode())
    assert setting_get("chat_provider") == "retrieval"


def test_the_workspace_override_offers_the_servers_models_and_refuses_others(admin_client, workspace, llm_server):
    setting_set(label="llm_base_url", value=llm_server.base_url)
    url = f"/admin/workspaces/workspace/{workspace.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert '<option value="fake-model">fake-model</option>' in page
    form = {"name": workspace.name, "chat_mode": "chat", "chat_provider": "openai-compatible", "chat_model": "gpt-9",
            "system_prompt": "", "history_length": 20, "top_n": 4, "similarity_threshold": 0.25,
            "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0}
    refused = admin_client.post(url, form)
    assert "does not offer a model named “gpt-9”" in refused.content.decode()
    assert admin_client.post(url, {**form, "chat_model": "fake-model"}).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.chat_provider, workspace.chat_model) == ("openai-compatible", "fake-model")


def test_the_insights_page_totals_questions_and_tokens_per_workspace_and_user(
    admin_client, django_assert_max_num_queries
):
    """The totals are aggregated in the database: no query per day, workspace or user."""
    research, legal = WorkspaceFactory(name="Research"), WorkspaceFactory(name="Legal")
    mia, olga = UserFactory(username="mia"), UserFactory(username="olga")
    for workspace, user, tokens in [(research, mia, 10), (research, olga, 20), (legal, mia, 5)]:
        WorkspaceChatFactory(workspace=workspace, user=user, prompt_tokens=tokens, completion_tokens=tokens * 2)
    with django_assert_max_num_queries(10):
        body = admin_client.get("/admin/usage/").content.decode()
    assert "<strong>3</strong> questions" in body and "<strong>105</strong> tokens" in body
    # questions, answers, refusals, tokens, average answer time
    assert '<th scope="row">Research</th><td class="numeric">2</td><td class="numeric">2</td>' \
           '<td class="numeric">0</td><td class="numeric">90</td>' in body
    assert '<th scope="row">mia</th><td class="numeric">2</td><td class="numeric">2</td>' \
           '<td class="numeric">0</td><td class="numeric">45</td>' in body


def test_the_chat_log_shows_state_and_tokens(admin_client, workspace, user):
    WorkspaceChatFactory(workspace=workspace, user=user, state="stopped", prompt_tokens=12, completion_tokens=3)
    body = admin_client.get("/admin/workspaces/workspacechat/").content.decode()
    assert "12 + 3" in body and "Stopped" in body


def test_the_admin_index_links_the_language_model_and_usage_pages(admin_client):
    body = admin_client.get("/admin/").content.decode()
    assert 'href="/admin/language-model/"' in body and 'href="/admin/usage/"' in body


def test_a_model_server_behaving_badly_on_test_gives_its_status(llm_server):
    llm_server.behaviour = Behaviour.SERVER_ERROR
    with pytest.raises(model_setup.ModelSetupError, match="failed: it answered 500 Internal Server Error.$"):
        model_setup.connection_test(base_url=llm_server.base_url, model="fake-model")


def test_setting_the_server_address_alone_says_it_is_unused_until_the_provider_is_chosen(admin_client):
    from settings_app.admin import MODEL_UNUSED

    settings_create_missing()
    row = SystemSetting.objects.get(label="llm_base_url")
    response = admin_client.post(f"/admin/settings_app/systemsetting/{row.pk}/change/",
                                 {"value": "http://127.0.0.1:11434/v1"}, follow=True)
    assert setting_get("llm_base_url") == "http://127.0.0.1:11434/v1"
    assert MODEL_UNUSED in html.unescape(response.content.decode())


def test_the_workspace_form_asks_the_server_for_its_models_once_not_each_time_it_is_built(
    admin_client, workspace, llm_server
):
    setting_set(label="llm_base_url", value=llm_server.base_url)
    url = f"/admin/workspaces/workspace/{workspace.pk}/change/"
    for _ in range(3):
        assert '<option value="fake-model">fake-model</option>' in admin_client.get(url).content.decode()
    assert [request.path for request in llm_server.requests].count("/v1/models") == 1


def test_a_server_that_cannot_list_its_models_is_asked_again_only_after_a_while(admin_client, workspace, llm_server):
    from tests.llm_server import Behaviour

    setting_set(label="llm_base_url", value=llm_server.base_url)
    llm_server.behaviour = Behaviour.SERVER_ERROR
    url = f"/admin/workspaces/workspace/{workspace.pk}/change/"
    for _ in range(2):
        assert admin_client.get(url).status_code == 200  # the field stays free text
    assert [request.path for request in llm_server.requests].count("/v1/models") == 1
