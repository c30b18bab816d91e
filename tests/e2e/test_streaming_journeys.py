"""Asking in a real browser with a model server that streams: the answer arrives token by
token, can be stopped, and its citations open in a side panel without leaving the chat."""

import re
import time

import pytest
from playwright.sync_api import expect

from settings_app.services import setting_set
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from tests.llm_server import fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db(transaction=True)

PASSAGE = "The warranty covers water damage for three years after purchase."


@pytest.fixture
def chat_page(new_page, llm_server):
    """A member on the chat page of a workspace answered by the (slow, streaming) fake server."""
    workspace = WorkspaceFactory(name="Research")
    WorkspaceUserFactory(user=UserFactory(username="mia"), workspace=workspace)
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    DocumentPassageFactory(document=document, position=1, text=PASSAGE)
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="fake-model")
    llm_server.token_seconds = 0.08
    llm_server.stream_words = 40
    page = new_page()
    sign_in(page, "mia", DEFAULT_PASSWORD)
    page.goto(f"/w/{workspace.slug}/chat/")
    return page


def test_a_member_watches_the_answer_stream_in_and_opens_a_citation_in_place(chat_page):
    page = chat_page
    expect(page.locator("#id_prompt")).to_be_focused()
    page.fill("#id_prompt", "How long does the warranty cover water damage?")
    page.keyboard.press("Enter")  # Enter sends
    turn = page.locator(".chat-turn").last
    expect(turn.locator(".bubble.question")).to_contain_text("How long does the warranty")
    expect(turn.locator(".stream-cursor")).to_be_visible()
    expect(page.locator("#ask-stop")).to_be_visible()
    expect(turn.locator(".streaming-body")).to_contain_text("Answer from fake-model")
    screenshot(page, "chat-streaming")
    expect(turn.locator(".stream-cursor")).to_have_count(0, timeout=15_000)  # finished
    expect(page.locator("#ask-stop")).to_be_hidden()
    chip = turn.locator(".bubble.answer p a.cite").first
    expect(chip).to_be_visible()
    url = page.url
    chip.click()
    panel = page.locator("#source-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(PASSAGE)
    expect(panel.locator("a", has_text="Open in the document")).to_be_visible()
    screenshot(page, "chat-citation")
    assert page.url == url  # no page change
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert WorkspaceChat.objects.get().state == "complete"


def test_shift_enter_makes_a_new_line_and_stop_keeps_the_partial_answer(chat_page):
    page = chat_page
    page.fill("#id_prompt", "warranty")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("water damage?")
    expect(page.locator("#id_prompt")).to_have_value("warranty\nwater damage?")
    assert page.locator(".chat-turn").count() == 0
    page.keyboard.press("Enter")
    turn = page.locator(".chat-turn").last
    expect(turn.locator(".streaming-body")).to_contain_text("Answer from")
    page.click("#ask-stop")
    expect(turn.locator(".answer-reason")).to_contain_text("Stopped")
    deadline = time.monotonic() + 10
    while WorkspaceChat.objects.get().state == "answering" and time.monotonic() < deadline:
        time.sleep(0.1)
    chat = WorkspaceChat.objects.get()
    assert chat.state == "stopped"
    assert chat.answer.text.startswith("Answer from")
    assert len(chat.answer.text.split()) < 40  # the server had more to say
    page.reload()
    expect(page.locator(".bubble.answer").last).to_contain_text("Stopped before the answer was complete.")


def test_an_admin_points_docent_at_a_model_server_picks_a_model_and_tests_it(new_page, llm_server):
    AdminFactory(username="ada")
    page = new_page()
    sign_in(page, "ada", DEFAULT_PASSWORD)
    page.goto("/admin/")
    page.click("text=Language model")
    page.fill("#id_base_url", llm_server.base_url)
    page.click("button[value=list]")
    page.select_option("#id_model", "fake-model")
    page.select_option("#id_provider", "openai-compatible")
    page.click("button[value=test]")
    expect(page.locator(".messagelist")).to_contain_text(re.compile(r"fake-model answered in \d+ ms"))
    page.click("button[value=save]")
    expect(page.locator(".messagelist")).to_contain_text("Language model saved.")
    screenshot(page, "admin-language-model")


def test_the_newest_answer_is_not_hidden_under_the_question_box_on_a_long_chat(chat_page):
    page = chat_page
    page.set_viewport_size({"width": 1280, "height": 700})
    for number in range(3):
        page.fill("#id_prompt", f"Question {number}: how long is water damage covered?")
        page.keyboard.press("Enter")
        expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
        expect(page.locator(".chat-turn")).to_have_count(number + 1)
    answer = page.locator(".bubble.answer").last.bounding_box()
    form = page.locator("#ask").bounding_box()
    assert answer["y"] + answer["height"] <= form["y"] + 1  # the end of the newest answer shows above the box
    expect(page.locator("#id_prompt")).to_be_focused()
    screenshot(page, "chat-long")
