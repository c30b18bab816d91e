"""A real model end to end (`make test-llm`): an admin points Docent at llama.cpp's server, a member
asks about a document and watches the answer stream in, then stops a second answer.

The server is llama.cpp's (llama-cpp-python[server]) with SmolLM2-135M-Instruct, started by the
`llama_server` fixture; nothing here fakes a model. Its answers are not predictable word for word, so
the journey checks what a member relies on: text arrives while the answer is still streaming, the
answer ends complete with its source listed, a stopped answer keeps what arrived, and the tokens line
says "not reported" (llama.cpp's streams carry no usage), never zero.
"""

import re
import time

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory, WorkspaceFactory, WorkspaceUserFactory
from tests.llama_server import MODEL_ALIAS
from tests.workspaces.documents.sample_files import handbook_pdf_bytes
from workspaces.documents.services import document_ingest
from workspaces.models import WorkspaceChat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Long enough an answer that Stop lands while it streams (SmolLM2 counts on for hundreds of tokens).
LONG_ANSWER_QUESTION = "Count from 1 to 300, one number per line, and say nothing else."
# A model this small answers in a second on a quiet machine; a busy one takes longer for each step.
ANSWER_DEADLINE_MS = 120_000
STEP_DEADLINE_MS = 60_000


def stored_end_state(deadline_seconds=30):
    """The newest chat's state once the server side has stored its end (the page may show it first)."""
    deadline = time.monotonic() + deadline_seconds
    chat = WorkspaceChat.objects.order_by("-id").first()
    while chat.state == "answering" and time.monotonic() < deadline:
        time.sleep(0.1)
        chat.refresh_from_db()
    return chat


def test_a_member_asks_llama_cpp_watches_the_answer_stream_and_stops_another(new_page, llama_server):
    workspace = WorkspaceFactory(name="Handbooks")
    WorkspaceUserFactory(user=UserFactory(username="mia"), workspace=workspace)
    document_ingest(workspace=workspace, uploaded_file=ContentFile(handbook_pdf_bytes(), name="handbook.pdf"),
                    filename="handbook.pdf")
    AdminFactory(username="ada")

    admin = new_page()
    admin.set_default_timeout(STEP_DEADLINE_MS)
    sign_in(admin, "ada", DEFAULT_PASSWORD)
    admin.goto("/admin/language-model/")
    admin.fill("#id_base_url", llama_server.base_url)
    admin.click("button[value=list]")
    admin.select_option("#id_model", MODEL_ALIAS)
    admin.select_option("#id_provider", "openai-compatible")
    admin.click("button[value=test]")
    expect(admin.locator(".messagelist")).to_contain_text(re.compile(rf"{MODEL_ALIAS} answered in \d+ ms"),
                                                          timeout=ANSWER_DEADLINE_MS)
    admin.click("button[value=save]")
    expect(admin.locator(".messagelist")).to_contain_text("Language model saved.")

    page = new_page()
    page.set_default_timeout(STEP_DEADLINE_MS)
    sign_in(page, "mia", DEFAULT_PASSWORD)
    page.goto(f"/w/{workspace.slug}/chat/")
    page.fill("#id_prompt", "How many days of annual leave do full-time staff receive?")
    page.keyboard.press("Enter")
    turn = page.locator(".chat-turn").last
    # Text shows while the answer is still coming: the cursor and the Stop button are there with it.
    expect(turn.locator(".streaming-text")).not_to_be_empty(timeout=ANSWER_DEADLINE_MS)
    expect(turn.locator(".stream-cursor")).to_have_count(0, timeout=ANSWER_DEADLINE_MS)
    answer = turn.locator(".bubble.answer")
    expect(answer.locator(".sources li").first).to_contain_text("handbook.pdf")
    expect(answer.locator(".chat-meta")).to_contain_text(MODEL_ALIAS)
    expect(answer.locator(".answer-usage")).to_have_text(re.compile(r"tokens not reported · \d+\.\d s"))
    screenshot(page, "llm-answer")
    first = stored_end_state()
    assert first.state == "complete" and first.answer.text.strip()
    assert first.answer.model == MODEL_ALIAS
    assert (first.prompt_tokens, first.completion_tokens) == (None, None)  # not reported: never 0

    page.fill("#id_prompt", LONG_ANSWER_QUESTION)
    page.keyboard.press("Enter")
    second = page.locator(".chat-turn").nth(1)
    expect(second.locator(".streaming-text")).not_to_be_empty(timeout=ANSWER_DEADLINE_MS)
    page.click("#ask-stop")
    expect(second.locator(".answer-reason")).to_contain_text("Stopped")
    stopped = stored_end_state()
    assert stopped.state == "stopped" and stopped.answer.text.strip()
    page.reload()
    expect(page.locator(".bubble.answer").last).to_contain_text("Stopped before the answer was complete.")

    # Regenerate the stopped answer (its button says Retry): a second version streams to its end, the
    # stopped one stays reachable.
    turn = page.locator(".chat-turn").last
    turn.locator("button:has-text('Retry')").click()
    expect(page.locator(".chat-turn .stream-cursor")).to_have_count(0, timeout=ANSWER_DEADLINE_MS)
    expect(turn.locator(".versions")).to_contain_text("2 of 2", timeout=ANSWER_DEADLINE_MS)
    regenerated = stored_end_state(deadline_seconds=ANSWER_DEADLINE_MS / 1000)
    assert regenerated.version_of_id == stopped.pk and regenerated.pk != stopped.pk
    assert regenerated.state == "complete" and regenerated.answer.text.strip()
    turn.locator("a[aria-label='Earlier answer']").click()
    expect(page.locator(".chat-turn").last.locator(".versions")).to_contain_text("1 of 2")
    expect(page.locator(".bubble.answer").last).to_contain_text("Stopped before the answer was complete.")
