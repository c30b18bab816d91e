"""Insights: figures by day, per person and per workspace, for a chosen period; charts with their
numbers and CSV downloads; a fixed number of queries; each reader sees only what they may count."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, WorkspaceChatFactory, WorkspaceFactory, WorkspaceUserFactory
from workspaces.insights.period import PERIOD_BACKWARDS, PERIOD_TOO_LONG, Period
from workspaces.insights.usage import usage_report
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def asked(workspace, user, *, days_ago=0, refused=False, tokens=(0, 0), ms=None, prompt="A question?", **fields):
    chat = WorkspaceChatFactory(workspace=workspace, user=user, prompt=prompt, refused=refused,
                                prompt_tokens=tokens[0], completion_tokens=tokens[1], answer_ms=ms, **fields)
    WorkspaceChat.objects.filter(pk=chat.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return chat


def last_days(count):
    today = timezone.localdate()
    return Period(start=today - timedelta(days=count - 1), end=today)


def test_the_report_counts_by_day_with_every_day_of_the_period_and_per_person(workspace, user, owner):
    asked(workspace, user, tokens=(10, 20), ms=100)
    asked(workspace, user, refused=True, ms=300)
    asked(workspace, owner, days_ago=2, tokens=(1, 2), ms=50)
    asked(workspace, owner, days_ago=40)  # outside the period
    report = usage_report(chats=WorkspaceChat.objects.all(), period=last_days(7), groupings=("user",))
    assert len(report.days) == 7 and report.days[0]["questions"] == 0
    today, two_days_ago = report.days[-1], report.days[-3]
    assert (today["questions"], today["answers"], today["refusals"], today["tokens"], today["answer_ms"]) == \
        (2, 1, 1, 30, 200)
    assert (two_days_ago["questions"], two_days_ago["tokens"]) == (1, 3)
    assert report.totals["questions"] == 3 and report.totals["answer_ms"] == 150
    assert [(row["name"], row["questions"]) for row in report.groups["user"].rows] == [("mia", 2), ("olga", 1)]


def test_the_report_costs_the_same_queries_for_one_chat_or_many(workspace, user, django_assert_num_queries):
    """Days, totals and each grouping are one aggregate query each: never a query per day, person or workspace."""
    asked(workspace, user)
    with django_assert_num_queries(4):
        usage_report(chats=WorkspaceChat.objects.all(), period=last_days(30), groupings=("user", "workspace"))
    for number in range(12):
        person = UserFactory(username=f"person{number}")
        asked(WorkspaceFactory(name=f"Place {number}"), person, days_ago=number)
    with django_assert_num_queries(4):
        report = usage_report(chats=WorkspaceChat.objects.all(), period=last_days(30), groupings=("user", "workspace"))
    assert report.totals["questions"] == 13 and len(report.groups["workspace"].rows) == 13


def test_the_insights_tab_shows_charts_tables_and_counts_per_person(owner_client, workspace, user,
                                                                    django_assert_max_num_queries):
    asked(workspace, user, tokens=(5, 5), ms=120)
    with django_assert_max_num_queries(14):
        response = owner_client.get(f"/w/{workspace.slug}/insights/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<svg class="chart"') == 6  # five by day, one per person
    assert "Questions by day" in body and "Questions per person" in body
    assert '<th scope="row">mia</th><td class="numeric">1</td>' in body
    assert "download=days" in body and "download=user" in body


def test_the_insights_tab_is_for_owners(member_client, workspace):
    assert member_client.get(f"/w/{workspace.slug}/insights/").status_code == 403


@pytest.mark.parametrize(("query", "message"), [
    ("start=2026-05-10&end=2026-05-01", PERIOD_BACKWARDS),
    ("start=2020-01-01&end=2026-01-01", PERIOD_TOO_LONG),
    ("start=yesterday", "Enter a valid date."),
])
def test_bad_dates_are_an_inline_error_and_the_default_period_is_shown(owner_client, workspace, query, message):
    response = owner_client.get(f"/w/{workspace.slug}/insights/?{query}")
    body = response.content.decode()
    assert response.status_code == 400
    assert message.replace("“", "&ldquo;") in body or message in body
    assert "Showing the last 30 days instead." in body


def test_a_chosen_period_counts_only_its_days(owner_client, workspace, user):
    asked(workspace, user, days_ago=3)
    asked(workspace, user, days_ago=10)
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    body = owner_client.get(f"/w/{workspace.slug}/insights/?start={day}&end={day}").content.decode()
    assert "<strong>1</strong> question," in body


def test_the_csv_download_holds_the_tables_numbers_and_defuses_formulas(owner_client, workspace):
    sneaky = UserFactory(username="x")
    WorkspaceUserFactory(user=sneaky, workspace=workspace)
    type(sneaky).objects.filter(pk=sneaky.pk).update(username="=cmd")  # a name a spreadsheet would run
    asked(workspace, sneaky, tokens=(3, 4), ms=80)
    response = owner_client.get(f"/w/{workspace.slug}/insights/?download=user")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Person", "Questions", "Answers", "Refusals", "Tokens", "Average answer time (ms)",
                       "Rated helpful", "Rated unhelpful"]
    assert rows[1] == ["'=cmd", "1", "1", "0", "7", "80", "0", "0"]
    days = list(csv.reader(io.StringIO(owner_client.get(f"/w/{workspace.slug}/insights/?download=days")
                                       .content.decode())))
    assert len(days) == 31 and days[-1][1] == "1"


def test_chart_labels_are_escaped(admin_client):
    hostile = WorkspaceFactory(name="<script>alert(1)</script>")
    asked(hostile, UserFactory(username="mal"))
    body = admin_client.get("/admin/usage/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_member_sees_their_own_usage_only_per_workspace(member_client, workspace, user, other_user):
    asked(workspace, user, tokens=(2, 2))
    asked(WorkspaceFactory(name="Elsewhere 2"), other_user)
    body = member_client.get("/account/insights/").content.decode()
    assert "Questions per workspace" in body
    assert '<th scope="row">Research</th><td class="numeric">1</td>' in body
    assert "Elsewhere 2" not in body



def test_the_account_page_shows_the_members_own_last_30_days(member_client, workspace, user, other_user,
                                                             django_assert_max_num_queries):
    asked(workspace, user, tokens=(4, 3), days_ago=2)
    asked(workspace, other_user)
    with django_assert_max_num_queries(10):
        body = member_client.get("/account/").content.decode()
    assert "Last 30 days: <strong>1</strong> question," in body and "<strong>7</strong> tokens" in body
    assert 'id="account-questions"' in body and "/account/insights/" in body


def test_a_manager_limited_to_owned_workspaces_counts_only_those_in_the_admin(client, manager_user, workspace, user):
    from settings_app.services import setting_set

    setting_set(label="manager_scope", value="owned")
    owned = WorkspaceFactory(name="Owned")
    WorkspaceUserFactory(user=manager_user, workspace=owned, role="owner")
    asked(owned, manager_user)
    asked(workspace, user)
    client.force_login(manager_user)
    body = client.get("/admin/usage/").content.decode()
    assert '<th scope="row">Owned</th>' in body and '<th scope="row">Research</th>' not in body
