"""The questions the documents could not answer, grouped by similar wording, private ones counted only."""

import pytest

from tests.workspaces.insights.test_usage import asked, last_days
from workspaces.insights.unanswered import question_words, unanswered_questions

pytestmark = pytest.mark.django_db


def test_similar_wordings_of_a_refused_question_are_one_group_with_a_count(workspace, user, owner):
    asked(workspace, user, refused=True, prompt="How do I claim travel expenses?", days_ago=2)
    asked(workspace, owner, refused=True, prompt="how to claim my travel expenses", days_ago=1)
    asked(workspace, user, refused=True, prompt="Travel expenses: claim?")
    asked(workspace, user, refused=True, prompt="Where is the parking garage?")
    asked(workspace, user, prompt="Where do I park?", relevance=0.95)  # answered well: not listed
    report = unanswered_questions(workspace=workspace, period=last_days(7))
    assert [(group.wording, group.count) for group in report.groups] == [
        ("Travel expenses: claim?", 3), ("Where is the parking garage?", 1),
    ]
    assert report.groups[0].other_wordings == ["how to claim my travel expenses", "How do I claim travel expenses?"]
    assert report.total == 4 and report.private == 0


def test_an_answer_from_a_barely_relevant_passage_is_listed_as_low_relevance(workspace, user):
    workspace.similarity_threshold = 0.4
    workspace.save()
    asked(workspace, user, prompt="What is the dress code?", relevance=0.42)
    asked(workspace, user, prompt="What is the holiday policy?", relevance=0.8)
    report = unanswered_questions(workspace=workspace, period=last_days(7))
    assert [(group.wording, group.refused, group.low_relevance) for group in report.groups] == [
        ("What is the dress code?", 0, 1),
    ]


def test_private_chats_are_counted_but_their_text_never_shown(owner_client, workspace, user):
    asked(workspace, user, refused=True, prompt="Can I see my colleague's salary?", private=True)
    asked(workspace, user, refused=True, prompt="Is there a gym?")
    report = unanswered_questions(workspace=workspace, period=last_days(7))
    assert [group.wording for group in report.groups] == ["Is there a gym?"] and report.private == 1
    body = owner_client.get(f"/w/{workspace.slug}/insights/").content.decode()
    assert "salary" not in body and "Is there a gym?" in body
    assert "1 more question asked in private chats was not answered well" in body


def test_while_chats_are_private_no_earlier_text_is_shown_either(owner_client, workspace, user):
    asked(workspace, user, refused=True, prompt="Who earns the most?")
    workspace.private_chats = True
    workspace.save()
    body = owner_client.get(f"/w/{workspace.slug}/insights/").content.decode()
    assert "Who earns the most?" not in body and "1 more question" in body


def test_grouping_reads_words_not_punctuation_case_or_stop_words():
    assert question_words("How do I CLAIM travel expenses?") == question_words("claim travel expenses")
    assert question_words("???") == frozenset({"???"})


def test_the_tab_says_so_when_every_question_found_a_document(owner_client, workspace, user,
                                                              django_assert_max_num_queries):
    asked(workspace, user, prompt="Where do I park?", relevance=0.95)
    with django_assert_max_num_queries(14):
        body = owner_client.get(f"/w/{workspace.slug}/insights/").content.decode()
    assert "Every question found a relevant document" in body
