"""Usage by day, per workspace and per person: aggregated in SQL, a fixed number of queries
(one for the days, one for the totals, one per grouping), whatever the period or the number of chats.

The figures are named once, in METRICS; a figure added there appears in every report, table and CSV
download, and gets a chart when added to DAY_CHARTS."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from workspaces.chats.choices import ChatRating, ChatState
from workspaces.insights.period import Period

GROUP_ROWS_MAX = 100

METRICS = {
    "questions": Count("pk"),
    "answers": Count("pk", filter=Q(state=ChatState.COMPLETE, refused=False)),
    "refusals": Count("pk", filter=Q(refused=True)),
    "tokens": Sum(Coalesce("prompt_tokens", Value(0)) + Coalesce("completion_tokens", Value(0)),
                  output_field=IntegerField()),
    "answer_ms": Avg("answer_ms"),
    "thumbs_up": Count("pk", filter=Q(rating=ChatRating.UP)),
    "thumbs_down": Count("pk", filter=Q(rating=ChatRating.DOWN)),
}
LABELS = {
    "questions": _("Questions"), "answers": _("Answers"), "refusals": _("Refusals"), "tokens": _("Tokens"),
    "answer_ms": _("Average answer time (ms)"), "thumbs_up": _("Rated helpful"), "thumbs_down": _("Rated unhelpful"),
}
# The charts of the figures by day: (figure, title).
DAY_CHARTS = (
    ("questions", _("Questions by day")),
    ("refusals", _("Refusals by day (no document answered)")),
    ("tokens", _("Tokens by day")),
    ("answer_ms", _("Average answer time by day (ms)")),
    ("thumbs_down", _("Answers rated unhelpful by day")),
)
# What a report may be grouped by: (the value that names a row, its column heading).
GROUPINGS = {
    "workspace": ("workspace__name", _("Workspace")),
    "user": ("user__username", _("Person")),
}
# Each grouping's chart title and the heading of its numbers.
GROUP_TITLES = {
    "workspace": (_("Questions per workspace"), _("Per workspace")),
    "user": (_("Questions per person"), _("Per person")),
}


@dataclass
class Grouped:
    key: str
    heading: str
    rows: list[dict]  # each: "name" and every figure
    truncated: bool = False


@dataclass
class UsageReport:
    period: Period
    days: list[dict]  # each: "day" and every figure; every day of the period, zeros included
    totals: dict
    groups: dict[str, Grouped] = field(default_factory=dict)

    @property
    def figures(self) -> list[tuple[str, str]]:
        return [(name, LABELS.get(name, name)) for name in METRICS]


def _clean(row: dict) -> dict:
    """Whole numbers for the table: no None for an empty sum, the average rounded."""
    clean = {name: (row.get(name) or 0) for name in METRICS}
    clean["answer_ms"] = round(clean["answer_ms"]) if clean.get("answer_ms") else 0
    clean["figures"] = [clean[name] for name in METRICS]  # in METRICS' order, for the tables
    return clean


def usage_report(*, chats, period: Period, groupings=("workspace", "user")) -> UsageReport:
    """The figures of `chats` (a queryset already narrowed to what the reader may count) within `period`."""
    start, end = period.bounds
    chats = chats.filter(created_at__gte=start, created_at__lt=end).order_by()
    by_day = {
        row["day"]: row
        for row in chats.annotate(day=TruncDate("created_at")).values("day").annotate(**METRICS).order_by("day")
    }
    days = [{"day": day, **_clean(by_day.get(day, {}))} for day in period.days]
    report = UsageReport(period=period, days=days, totals=_clean(chats.aggregate(**METRICS)))
    for grouping in groupings:
        key, heading = GROUPINGS[grouping]
        rows = list(chats.values(key).annotate(**METRICS).order_by("-questions", key)[: GROUP_ROWS_MAX + 1])
        report.groups[grouping] = Grouped(
            key=grouping, heading=heading, truncated=len(rows) > GROUP_ROWS_MAX,
            rows=[{"name": row[key] or "(deleted account)", **_clean(row)} for row in rows[:GROUP_ROWS_MAX]],
        )
    return report
