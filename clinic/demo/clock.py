"""The story's calendar: 18 months back from today, clinic days, aware datetimes, and the
replay clock that makes timezone.now() return the moment each step happened.
"""

from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.utils import timezone

HISTORY_DAYS = 548  # about 18 months of sessions


def aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour, minute)))


def open_day(day: date) -> date:
    """The clinic is closed on Sundays."""
    return day + timedelta(days=1) if day.weekday() == 6 else day


def weekday_before(day: date) -> date:
    """Deliveries come on weekdays: the Friday before a weekend day."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


class ReplayClock:
    """Makes django.utils.timezone.now() (so localdate(), auto_now fields, history dates
    and the services' own timestamps) return `at` while the seed replays the past. The
    command is single-threaded; the real clock is always put back."""

    def __init__(self):
        self.at: datetime | None = None
        self._real = timezone.now

    def now(self) -> datetime:
        return self.at if self.at is not None else self._real()

    def __enter__(self) -> "ReplayClock":
        timezone.now = self.now
        return self

    def __exit__(self, *exc_info) -> None:
        timezone.now = self._real
