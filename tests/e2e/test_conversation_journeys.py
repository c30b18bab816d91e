"""Conversations in a real browser: threads (new, list, switch, rename, delete), an answer
regenerated, its question edited, rated and copied; Markdown rendered while it streams;
a failed answer retried, or answered by the built-in fallback; the daily quota known before
sending; all of it at phone width too."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from playwright.sync_api import expect

from settings_app.services import setting_set
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from tests.llm_server import Behaviour, fake_llm_server  # noqa: F401  (the llm_server fixture)
from workspaces.models import ChatThread, WorkspaceChat

pytestmark = pytest.mark.django_db(transaction=True)

LEAVE = "Annual leave is 25 days a year for every employee. Unused days carry over until March."
LISBON = "In the Lisbon office, annual leave is 23 days and the office closes in August."
PORTO = "In the Porto office the opening hours are nine to six on weekdays."
MARKDOWN_ANSWER = (
    "## Annual leave\n\nEvery employee gets **25 days** a year [1].\n\n"
    "- Unused days carry over\n- until *March*\n\nAsk HR for details."
)


def workspace_with_handbook(**fields):
    workspace = WorkspaceFactory(name="Handbook", **fields)
    WorkspaceUserFactory(user=UserFactory(username="mia"), workspace=workspace)
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.pdf")
    for position, text in enumerate((LEAVE, LISBON, PORTO), start=1):
        DocumentPassageFactory(document=document, position=position, text=text)
    return workspace


def open_chat(new_page, workspace, width=1280, height=860):
    page = new_page(width=width, height=height)
    sign_in(page, "mia", DEFAULT_PASSWORD)
    page.goto(f"/w/{workspace.slug}/chat/")
    return page


def ask(page, question):
    page.fill("#id_prompt", question)
    page.keyboard.press("Enter")
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    expect(page.locator("#ask-stop")).to_be_hidden()


@pytest.fixture
def model(llm_server):
    setting_set(label="chat_provider", value="openai-compatible")
    setting_set(label="llm_base_url", value=llm_server.base_url)
    setting_set(label="llm_model", value="fake-model")
    return llm_server


def test_a_member_keeps_several_conversations_renames_and_deletes_one(new_page):
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    expect(page.locator("#conversation-title")).to_have_text("New chat")
    expect(page.locator(".chat-actions")).not_to_contain_text("Export CSV")  # nothing to export yet
    ask(page, "How many days of annual leave do employees get?")
    expect(page.locator(".bubble.answer").last).to_contain_text("25 days")
    expect(page.locator(".chat-actions")).to_contain_text("Export CSV")  # the first conversation's, no reload
    expect(page).to_have_title("How many days of annual leave do employees get? · Chat · Handbook · Docent")
    expect(page.locator(".thread-fold summary")).to_contain_text("(1)")
    expect(page.locator("#conversation-title")).to_have_text("How many days of annual leave do employees get?")
    first_url = page.url
    assert "/chat/t/" in first_url

    page.click("#new-chat")
    expect(page.locator(".chat-turn")).to_have_count(0)
    ask(page, "What are the opening hours in Porto?")
    expect(page.locator(".bubble.answer").last).to_contain_text("nine to six")
    expect(page.locator(".thread-tools summary")).to_have_text("Rename")  # the new thread's buttons, no reload
    threads = page.locator("#threads li")
    expect(threads).to_have_count(2)
    expect(threads.first).to_contain_text("What are the opening hours in Porto?")  # newest first
    expect(page.locator(".thread-fold summary")).to_contain_text("(2)")
    day = ChatThread.objects.get(title__contains="Porto").last_asked_at
    expect(threads.first.locator(".thread-date")).to_have_text(date_format(localtime(day), "j M Y"))  # the server's
    screenshot(page, "chat-threads")

    page.click("#threads >> text=How many days of annual leave")
    expect(page.locator(".chat-turn")).to_have_count(1)
    ask(page, "and for Lisbon?")  # a built-in follow-up, from this thread's question
    expect(page.locator(".bubble.answer").last).to_contain_text("23 days")
    ask(page, "Tell me more about that")
    expect(page.locator(".bubble.answer").last).not_to_contain_text("No document in this workspace answers that")

    page.click(".thread-rename summary")
    page.fill("#thread-title", "Leave")
    page.click(".thread-rename button[type=submit]")
    expect(page.locator("#conversation-title")).to_have_text("Leave")
    expect(page.locator("#threads li").first).to_contain_text("Leave")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".thread-tools button:has-text('Delete')")
    expect(page.locator("#threads li")).to_have_count(1)
    expect(page.locator("#threads")).not_to_contain_text("Leave")
    thread = ChatThread.objects.get(title="Leave")
    assert thread.include is False and thread.chats.count() == 3  # kept for the admin's chat log


def test_a_question_asked_from_the_older_questions_shows_after_the_latest(new_page):
    workspace = workspace_with_handbook()
    mia = UserFactory._meta.model.objects.get(username="mia")
    for number in range(25):
        WorkspaceChatFactory(workspace=workspace, user=mia, prompt=f"Old question {number:02}")
    WorkspaceChat.objects.update(created_at=timezone.now() - timedelta(days=1))  # asked yesterday: no rate limit
    page = open_chat(new_page, workspace)
    page.click("text=Show older questions")
    expect(page.locator(".chat-turn").first).to_contain_text("Old question 00")
    page.fill("#id_prompt", "How many days of annual leave do employees get?")
    page.keyboard.press("Enter")
    expect(page.locator(".chat-turn").last).to_contain_text("25 days")
    expect(page.locator(".chat-turn").first).to_contain_text("Old question 06")  # the latest page: 20 of 26 turns
    assert "page=" not in page.url


def test_an_answer_is_regenerated_its_question_edited_rated_and_copied(new_page, model):
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, "How many days of annual leave?")
    turn = page.locator(".chat-turn").last
    expect(turn.locator(".bubble.answer")).to_contain_text("Answer from fake-model")

    turn.locator("button:has-text('Regenerate')").click()
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    expect(turn.locator(".versions")).to_contain_text("2 of 2")
    turn.locator("a[aria-label='Earlier answer']").click()
    expect(page.locator(".chat-turn").last.locator(".versions")).to_contain_text("1 of 2")
    expect(page.locator(".chat-turn")).to_have_count(1)

    turn = page.locator(".chat-turn").last
    turn.locator(".edit-question summary").click()
    turn.locator(".edit-question textarea").fill("How many days of leave in Lisbon?")
    turn.locator(".edit-question button[type=submit]").click()
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    expect(turn.locator(".bubble.question")).to_contain_text("in Lisbon?")
    expect(turn.locator(".versions")).to_contain_text("3 of 3")
    page.reload()  # the address names the answer on screen (it named the first, from its arrow)
    turn = page.locator(".chat-turn").last
    expect(turn.locator(".versions")).to_contain_text("3 of 3")

    turn.locator("button.thumb[title='Bad answer']").click()
    expect(turn.locator("button.thumb[title='Bad answer']")).to_have_attribute("aria-pressed", "true")
    turn.locator(".feedback-comment summary").click()
    turn.locator(".feedback-comment textarea").fill("It should say 23 days.")
    turn.locator(".feedback-comment button").click()
    expect(turn.locator(".feedback-comment summary")).to_have_text("Your comment")
    rated = WorkspaceChat.objects.get(prompt="How many days of leave in Lisbon?")
    assert (rated.rating, rated.feedback) == (-1, "It should say 23 days.")

    turn.locator(".copy-answer").click()
    expect(turn.locator(".copy-answer")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Answer from fake-model") and "Sources:\n[1] handbook.pdf" in copied
    screenshot(page, "chat-answer-actions")


def test_markdown_renders_while_the_answer_streams_with_live_citation_chips(new_page, model):
    model.stream_text = MARKDOWN_ANSWER
    model.token_seconds = 0.15
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    page.fill("#id_prompt", "How much annual leave?")
    page.keyboard.press("Enter")
    answer = page.locator(".chat-turn .bubble.answer").last
    expect(answer.locator(".stream-cursor")).to_be_visible()
    expect(answer.locator("h2")).to_have_text("Annual leave")
    expect(answer.locator("strong")).to_have_text("25 days")
    expect(answer.locator("a.cite")).to_be_visible()  # the chip, while the answer still streams
    expect(answer.locator(".stream-cursor")).to_be_visible()
    assert "##" not in answer.inner_text() and "**" not in answer.inner_text()
    screenshot(page, "chat-streaming-markdown")
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    answer = page.locator(".chat-turn .bubble.answer").last
    expect(answer.locator("ul li")).to_have_count(2)
    expect(answer.locator("ol.sources").first.locator("li")).to_have_count(1)  # the passage it cites
    expect(answer.locator(".also-retrieved summary")).to_contain_text("Also retrieved (1)")  # the other one found
    expect(answer.locator(".also-retrieved li").first).to_be_hidden()


def test_a_stopped_answer_stays_rendered_and_can_be_retried(new_page, model):
    model.stream_text = MARKDOWN_ANSWER + " More words follow here." * 20
    model.token_seconds = 0.1
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    page.fill("#id_prompt", "How much annual leave?")
    page.keyboard.press("Enter")
    answer = page.locator(".chat-turn .bubble.answer").last
    expect(answer.locator("h2")).to_have_text("Annual leave")
    page.click("#ask-stop")
    turn = page.locator(".chat-turn").last
    expect(turn.locator("button:has-text('Retry')")).to_be_visible(timeout=10_000)
    expect(turn.locator(".bubble.answer h2")).to_have_text("Annual leave")
    expect(turn.locator(".answer-reason")).to_contain_text("Stopped")


def test_a_failed_answer_is_retried_once_the_model_server_is_back(new_page, model):
    model.behaviour = Behaviour.SERVER_ERROR
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    ask(page, "How many days of annual leave?")
    turn = page.locator(".chat-turn").last
    expect(turn.locator(".answer-reason")).to_contain_text("Failed")
    screenshot(page, "chat-failed-retry")
    model.behaviour = Behaviour.ANSWER
    turn.locator("button:has-text('Retry')").click()
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    expect(turn.locator(".bubble.answer")).to_contain_text("Answer from fake-model")
    expect(turn.locator(".versions")).to_contain_text("2 of 2")


def test_a_workspace_falls_back_to_the_built_in_answer_labelled_as_such(new_page, model):
    model.behaviour = Behaviour.SERVER_ERROR
    workspace = workspace_with_handbook(fallback_to_builtin=True)
    page = open_chat(new_page, workspace)
    ask(page, "How many days of annual leave do employees get?")
    answer = page.locator(".chat-turn .bubble.answer").last
    expect(answer.locator(".answer-note")).to_contain_text("Built-in answer")
    expect(answer).to_contain_text("25 days")
    screenshot(page, "chat-fallback")


def test_the_ask_button_knows_the_daily_quota_is_reached(new_page):
    setting_set(label="daily_message_limit", value="1")
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace)
    ask(page, "How many days of annual leave?")
    expect(page.locator("#ask-send")).to_be_disabled()
    expect(page.locator("#quota")).to_contain_text("daily limit")
    page.reload()
    expect(page.locator("#ask-send")).to_be_disabled()
    expect(page.locator("#quota")).to_contain_text("daily limit")


def test_on_a_phone_the_list_folds_and_the_question_box_covers_nothing(new_page, model):
    model.stream_text = MARKDOWN_ANSWER
    workspace = workspace_with_handbook()
    page = open_chat(new_page, workspace, width=390, height=844)
    expect(page.locator("#thread-fold")).not_to_have_attribute("open", "")
    for question in ("How much annual leave do employees get?", "Do unused leave days carry over?",
                     "How much annual leave in the Lisbon office?"):
        ask(page, question)
    page.locator(".thread-fold summary").click()
    expect(page.locator("#threads li")).to_have_count(1)
    page.locator(".thread-fold summary").click()
    turn = page.locator(".chat-turn").last
    turn.locator("button:has-text('Regenerate')").click()
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=15_000)
    expect(turn.locator(".versions")).to_contain_text("2 of 2")
    form = page.locator("#ask").bounding_box()
    for box in page.locator(".chat-turn").evaluate_all("turns => turns.map(t => t.getBoundingClientRect().bottom)"):
        assert box <= form["y"] + 1  # every turn ends above the question box
    page.locator("#id_prompt").focus()
    screenshot(page, "chat-phone")
