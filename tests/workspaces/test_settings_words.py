"""The owner's Settings tab speaks plainly and says what an empty field inherits, and from where."""

import pytest

from settings_app.services import setting_set

pytestmark = pytest.mark.django_db


def test_each_inherited_setting_shows_the_servers_value_now_and_where_it_is_set(owner_client, admin_user):
    setting_set(label="llm_model", value="llama3.1:8b", actor=admin_user)
    setting_set(label="default_system_prompt", value="Answer like a careful librarian.", actor=admin_user)
    page = owner_client.get("/w/research/settings/").content.decode()
    assert "The server&#x27;s model (now: llama3.1:8b)" in page
    assert "The server&#x27;s default (now: Built-in answers" in page or "The server&#x27;s default (now: " in page
    assert "Now: “Answer like a careful librarian.”" in page
    assert "System settings → Default instructions for the model" in page


def test_no_setting_reads_like_code(owner_client):
    page = owner_client.get("/w/research/settings/").content.decode()
    for jargon in ("idf", "_setting", "default_system_prompt", "llm_model", "chat_provider setting"):
        assert jargon not in page
    for label in ("Instructions for the model", "Sources per answer", "How sure before answering",
                  "Conversation", "Private chats"):
        assert label in page


def test_the_servers_instructions_are_shown_as_text_never_as_markup(owner_client, admin_user):
    setting_set(label="default_system_prompt", value="Quote the <context> as given. <img src=x onerror=alert(1)>",
                actor=admin_user)
    page = owner_client.get("/w/research/settings/").content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
