"""The diary's pages: the day (a column per practitioner) and one practitioner's week;
`day_from` reads a day typed in a query string."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from clinic.audit import audited
from clinic.diary import availability, grid, selectors
from clinic.diary.models import EARLIEST_DAY, LATEST_DAY
from clinic.permissions import require_perm

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def day_from(value: str | None) -> tuple[date, str]:
    """A day from the query string (ISO or dd/mm/yyyy), and what was wrong with it: today
    when absent (""), unreadable or outside the days the diary shows
    (EARLIEST_DAY..LATEST_DAY), with a message saying so instead of silently showing
    today."""
    value = (value or "").strip()
    if not value:
        return timezone.localdate(), ""
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
        if EARLIEST_DAY <= day <= LATEST_DAY:
            return day, ""
        return timezone.localdate(), (
            f"The diary shows days from {EARLIEST_DAY:%d/%m/%Y} to {LATEST_DAY:%d/%m/%Y}: "
            "showing today."
        )
    return timezone.localdate(), "That is not a date: showing today."


@require_perm("diary.view_appointment")
@audited("diary.day")
def day(request):
    shown, day_problem = day_from(request.GET.get("day"))
    view = selectors.day_view(day=shown)
    patient_param = request.GET.get("patient", "")
    can_book = request.user.has_perm("diary.add_appointment")
    now = timezone.now()  # one moment for the grid's Now, Late and Book
    return render(
        request,
        "diary/day.html",
        {
            "view": view,
            "grid": grid.day_grid(view, can_book=can_book, patient_param=patient_param, now=now),
            "previous": shown - timedelta(days=1),
            "next": shown + timedelta(days=1),
            "today": timezone.localdate(now),
            "now": now,
            "patient_param": patient_param,
            "day_problem": day_problem,
            # What was typed stays in the box next to the message (at most a date's worth).
            "typed_day": request.GET.get("day", "")[:30] if day_problem else "",
        },
    )


@require_perm("diary.view_appointment")
@audited("diary.week")
def week(request, practitioner_id: int):
    people = {p.pk: p for p in availability.practitioners()}
    person = people.get(practitioner_id)
    if person is None:
        raise Http404
    shown, day_problem = day_from(request.GET.get("day"))
    monday = shown - timedelta(days=shown.weekday())
    return render(
        request,
        "diary/week.html",
        {
            "person": person,
            "people": people.values(),
            "days": selectors.week_view(practitioner=person, monday=monday),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
            "day_problem": day_problem,
        },
    )
