"""Date ranges for the dashboard and reports: a period, the one before it, the presets.

Periods are calendar dates in UK time, end inclusive. Sessions are filtered on
performed_at from the start of the first day to the start of the day after the last
(Europe/London midnights), so a session at 23:30 on the last day is in.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.inputs import EARLIEST_DATE, LATEST_DATE

# The dates a filter may name (clinic.inputs: the range every page can compute with).
EARLIEST, LATEST = EARLIEST_DATE, LATEST_DATE
OUT_OF_RANGE = f"Enter a date between {EARLIEST:%d/%m/%Y} and {LATEST:%d/%m/%Y}."


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight at the start of the day after `end`."""
        return local_midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    def previous(self) -> Period:
        """The period to compare with: the same number of calendar months before when the
        period is whole months (this month against last month), otherwise the same
        number of days immediately before."""
        if self.is_whole_months:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = add_months(self.start, -months)
            return Period(start, month_end(add_months(start, months - 1)))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def compared(self, today: date | None = None) -> Period:
        """What the dashboard compares the period with: `previous()`, but while the period
        is under way (today is in it, before its last day) only its first days, as many
        as have passed of this one. This month so far against the same days of last
        month: against the whole of last month, five days of December read as a fall of
        87% (browser review 05/12)."""
        before = self.previous()
        today = today or timezone.localdate()
        if not self.start <= today < self.end:
            return before
        so_far = before.start + timedelta(days=(today - self.start).days)
        return Period(before.start, min(before.end, so_far))

    @property
    def label(self) -> str:
        if self.is_whole_months and (self.start.year, self.start.month) == (
            self.end.year,
            self.end.month,
        ):
            return f"{self.start:%B %Y}"
        return f"{self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}"

    def as_params(self) -> dict[str, str]:
        """As typed in the filter form (dd/mm/yyyy)."""
        return {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"}


def default_period(today: date | None = None) -> Period:
    """This month (to its end, so bookings later in the month count when they happen)."""
    today = today or timezone.localdate()
    return Period(month_start(today), month_end(today))


def presets(today: date | None = None) -> list[tuple[str, Period]]:
    """Quick choices shown above the filters."""
    today = today or timezone.localdate()
    this_month = default_period(today)
    last_month = this_month.previous()
    return [
        ("This month", this_month),
        ("Last month", last_month),
        ("Last 3 months", Period(month_start(add_months(today, -2)), month_end(today))),
        ("Last 12 months", Period(today - timedelta(days=364), today)),
        ("This year", Period(date(today.year, 1, 1), date(today.year, 12, 31))),
    ]
