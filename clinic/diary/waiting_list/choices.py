"""Choices of the waiting list."""

from datetime import time

from django.db import models


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a slot"
    BOOKED = "booked", "Booked"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.WAITING, cls.OFFERED]


# Where the morning ends: a slot starting before it (London time) is a morning's.
NOON = time(12)


class TimeOfDay(models.TextChoices):
    """When in the day a waiting patient can come (front-desk review: "Mornings only" was
    typed in the notes, which the matching cannot read, and a 16:30 slot was offered)."""

    ANY = "any", "Any time"
    MORNINGS = "mornings", "Mornings (before 12:00)"
    AFTERNOONS = "afternoons", "Afternoons (from 12:00)"

    @classmethod
    def fitting(cls, starts: time) -> list[str]:
        """The choices a slot starting at `starts` (local time) suits."""
        return [cls.ANY, cls.MORNINGS if starts < NOON else cls.AFTERNOONS]

    @property
    def short(self) -> str:
        """The list page's word for it ("Mornings · Mon, Tue")."""
        return {"any": "Any time", "mornings": "Mornings", "afternoons": "Afternoons"}[self.value]


# The days a patient can come, a bit each (Monday = 1 << 0, as date.weekday()): one small
# integer that SQLite and PostgreSQL both filter on with a bitwise AND.
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = (1 << 7) - 1


def weekday_bit(weekday: int) -> int:
    return 1 << weekday


def weekdays_mask(weekdays) -> int:
    """The mask of an iterable of weekday numbers (0 = Monday)."""
    mask = 0
    for day in weekdays:
        mask |= weekday_bit(int(day))
    return mask


def weekdays_in(mask: int) -> list[int]:
    return [day for day in range(7) if mask & weekday_bit(day)]


def weekdays_said(mask: int) -> str:
    """'any day', or the days in order, three or more in a row as a range (an en dash):
    "Mon, Tue, Thu", "Mon-Fri", "Mon, Wed-Sat"."""
    if mask & EVERY_DAY == EVERY_DAY:
        return "any day"
    days = weekdays_in(mask)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]}\u2013{WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[day] for day in run)
    return ", ".join(parts)
