"""Insights on the site: the owner's tab of a workspace (usage per day and per person, and the
questions its documents could not answer) and a member's own usage (per day and per workspace)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.generic import TemplateView

from workspaces import permissions
from workspaces.chats.models import WorkspaceChat
from workspaces.insights.charts import column_chart
from workspaces.insights.period import default_period
from workspaces.insights.report import csv_or_none, report_context
from workspaces.insights.unanswered import unanswered_questions
from workspaces.insights.usage import usage_report
from workspaces.views import WorkspaceMixin


class ReportMixin:
    """A GET report: the CSV download when asked for, else the page (400 with the form's errors
    when the dates are bad; the default period is shown then)."""

    groupings: tuple = ()
    filename = "insights"

    def report_chats(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        download = csv_or_none(chats=self.report_chats(), query=request.GET, groupings=self.groupings,
                               filename=self.filename)
        if download is not None:
            return download
        context = self.get_context_data(**report_context(chats=self.report_chats(), query=request.GET,
                                                         groupings=self.groupings))
        return self.render_to_response(context, status=200 if context["period_valid"] else 400)


class WorkspaceInsightsView(WorkspaceMixin, ReportMixin, TemplateView):
    template_name = "workspaces/insights.html"
    required_action = permissions.READ_INSIGHTS
    groupings = ("user",)

    def report_chats(self):
        return WorkspaceChat.objects.filter(workspace=self.workspace)

    @property
    def filename(self):
        return f"{self.workspace.slug}-insights"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unanswered"] = unanswered_questions(workspace=self.workspace, period=context["report"].period)
        return context


class MyInsightsView(LoginRequiredMixin, ReportMixin, TemplateView):
    """A member's own questions, answers, tokens and time, per day and per workspace."""

    template_name = "accounts/my_insights.html"
    groupings = ("workspace",)
    filename = "my-insights"

    def report_chats(self):
        return WorkspaceChat.objects.filter(user=self.request.user)


def account_usage_section(request) -> dict:
    """The account page's own-usage card: the last 30 days' totals and questions by day (two queries)."""
    report = usage_report(chats=WorkspaceChat.objects.filter(user=request.user), period=default_period(), groupings=())
    chart = column_chart(title=gettext("Your questions by day"), chart_id="account-questions",
                         points=[(date_format(row["day"], "d M"), row["questions"]) for row in report.days])
    return {"own_usage": report, "own_usage_chart": chart}
