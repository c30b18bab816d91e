"""The period a person picks for Insights: a GET form of two dates, checked, with a default."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS = 30
MAX_DAYS = 366
PERIOD_BACKWARDS = gettext_noop("“From” must be on or before “To”.")
PERIOD_TOO_LONG = gettext_noop("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range((self.end - self.start).days + 1)]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """From the first day's midnight to the midnight after the last, in the server's time zone."""
        zone = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(self.start, time.min), zone),
                timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone))

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def default_period() -> Period:
    today = timezone.localdate()
    return Period(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label=_("From"), widget=DateInput(format="%Y-%m-%d"))
    end = forms.DateField(required=False, label=_("To"), widget=DateInput(format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        fallback = default_period()
        end = cleaned.get("end") or fallback.end
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", gettext(PERIOD_BACKWARDS))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("start", gettext("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS})
        cleaned["period"] = Period(start=start, end=end)
        return cleaned


def period_from(query) -> tuple[PeriodForm, Period, bool]:
    """The form bound to `query` (request.GET), the period to show (the default when the dates are
    bad) and whether they were good."""
    fallback = default_period()
    form = PeriodForm(query if ("start" in query or "end" in query) else None,
                      initial={"start": fallback.start, "end": fallback.end})
    if not form.is_bound:
        return form, fallback, True
    if form.is_valid():
        return form, form.cleaned_data["period"], True
    return form, fallback, False
