"""What every Insights page shows, whoever reads it: the period form, the figures by day and by
group with a chart each, and the same numbers as CSV (`?download=days|workspace|user`)."""

import csv

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext

from workspaces.insights.charts import bar_chart, column_chart
from workspaces.insights.period import period_from
from workspaces.insights.usage import DAY_CHARTS, GROUP_TITLES, LABELS, METRICS, UsageReport, usage_report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (a name like `=HYPERLINK(…)`)."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_csv(report: UsageReport, table: str, *, filename: str) -> HttpResponse | None:
    """The numbers of one table as CSV, or None when `table` names none."""
    if table == "days":
        heading, rows = gettext("Day"), [{"name": row["day"].isoformat(), **row} for row in report.days]
    elif table in report.groups:
        heading, rows = report.groups[table].heading, report.groups[table].rows
    else:
        return None
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{filename}-{table}-{report.period.start}-{report.period.end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([heading, *(LABELS[name] for name in METRICS)])
    for row in rows:
        writer.writerow([_cell(row["name"]), *(row[name] for name in METRICS)])
    return response


def report_context(*, chats, query, groupings, chart_prefix: str = "chart") -> dict:
    """The context of the shared report template (templates/insights/_report.html)."""
    form, period, valid = period_from(query)
    report = usage_report(chats=chats, period=period, groupings=groupings)
    day_charts = [
        {"title": title, "svg": column_chart(
            title=title, chart_id=f"{chart_prefix}-{name}",
            points=[(date_format(row["day"], "d M"), row[name]) for row in report.days],
        )}
        for name, title in DAY_CHARTS
    ]
    group_charts = [
        {"grouped": grouped, "title": GROUP_TITLES[key][0], "section": GROUP_TITLES[key][1], "svg": bar_chart(
            title=GROUP_TITLES[key][0], chart_id=f"{chart_prefix}-{key}",
            rows=[(row["name"], row["questions"]) for row in grouped.rows[:20]],
        )}
        for key, grouped in report.groups.items()
    ]
    return {"period_form": form, "period_valid": valid, "report": report, "day_charts": day_charts,
            "group_charts": group_charts, "figures": report.figures}


def csv_or_none(*, chats, query, groupings, filename: str) -> HttpResponse | None:
    """The CSV download a request asks for (`download`), with a valid period; None otherwise."""
    table = query.get("download")
    if not table:
        return None
    form, period, valid = period_from(query)
    if not valid:
        return None
    return report_csv(usage_report(chats=chats, period=period, groupings=groupings), table, filename=filename)
