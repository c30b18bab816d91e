"""Under each model answer, a member sees its tokens and time; never a zero the server did not report."""

import re

import pytest

from tests.workspaces.chats.asking import ask, chat_url
from tests.workspaces.chats.test_chat_page_stream import cited_chat
from workspaces.chats.answer import StoredAnswer
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db

QUESTION = "How long does the warranty cover water damage?"


def usage_line(html):
    found = re.search(r'<p class="answer-usage muted small">([^<]*)</p>', html)
    return found.group(1) if found else None


def test_a_model_answer_shows_the_tokens_the_server_counted_and_its_time(member_client, workspace, configured):
    ask(member_client, workspace, QUESTION)
    chat = WorkspaceChat.objects.get()
    tokens = chat.completion_tokens
    assert tokens > 0
    line = usage_line(member_client.get(chat_url(workspace)).content.decode())
    assert re.fullmatch(rf"{tokens} tokens · \d+\.\d s", line)


def test_a_server_that_reports_no_usage_shows_tokens_not_reported_and_stores_none(
    member_client, workspace, configured
):
    configured.reports_usage = False
    ask(member_client, workspace, QUESTION)
    chat = WorkspaceChat.objects.get()
    assert chat.state == "complete"
    assert (chat.prompt_tokens, chat.completion_tokens, chat.answer.usage) == (None, None, {})
    line = usage_line(member_client.get(chat_url(workspace)).content.decode())
    assert re.fullmatch(r"tokens not reported · \d+\.\d s", line)
    assert "0 tokens" not in line


def test_built_in_answers_have_no_token_line(member_client, user, workspace):
    cited_chat(workspace, user)
    assert usage_line(member_client.get(chat_url(workspace)).content.decode()) is None


def test_the_line_reads_counts_and_seconds_as_people_do():
    def line(**response):
        return StoredAnswer.from_json({"provider": "openai-compatible", **response}).usage_line

    assert line(usage={"completion_tokens": 1}, timings={"total_ms": 2440}) == "1 token · 2.4 s"
    assert line(usage={"completion_tokens": 1312}, timings={"total_ms": 80}) == "1,312 tokens · 0.1 s"
    assert line(usage={"prompt_tokens": 40}) == "tokens not reported"
    assert line(state="answering") == ""
