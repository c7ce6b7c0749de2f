"""The day view's grid shows booked time as booked (review: back-to-back appointments of odd
lengths shared one merged 15-minute cell and were stacked at its top, so rows they
covered looked free and PERRY, booked 11:05-11:50, was drawn beside 10:15): each
appointment is its own cell, starting on the row of its start and spanning its rows of
5 minutes, and no free cell overlaps a booking. A free slot always shows "+ Book", unless
its time has passed (browser review 07/12/2026: 09:00 booked from the grid at 09:58)."""

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.diary import grid, selectors
from clinic.diary.models import LATE_AFTER
from tests.clinic.diary_helpers import at, book, working
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(practitioner, reception):
    """The review's Saturday: BRIGGS 09:50-10:20, JOYCE 10:20-11:05, PERRY 11:05-11:50."""
    working(practitioner)
    return [
        book(PatientFactory(family_name=name), practitioner, reception, at(0, h, m), minutes=n)
        for name, h, m, n in (("Briggs", 9, 50, 30), ("Joyce", 10, 20, 45), ("Perry", 11, 5, 45))
    ]


def drawn_cells(rows):
    return [cell for row in rows for cell in row.drawn]


def test_each_appointment_is_its_own_cell_from_its_start_over_its_time(morning):
    rows = grid.day_grid(selectors.day_view(day=timezone.localdate()), can_book=True)

    booked = [c for c in drawn_cells(rows) if c.kind == "appointment"]
    assert [[a.pk for a in c.appointments] for c in booked] == [[a.pk] for a in morning]
    for cell, appointment in zip(booked, morning, strict=True):
        assert cell.starts_at == appointment.starts_at
        assert cell.starts_at + grid.ROW * cell.rows == appointment.ends_at


def test_no_free_cell_covers_booked_time(morning):
    rows = grid.day_grid(selectors.day_view(day=timezone.localdate()), can_book=True)

    for cell in drawn_cells(rows):
        if cell.kind in ("free", "gap"):
            ends = cell.starts_at + grid.ROW * cell.rows
            assert not any(a.starts_at < ends and cell.starts_at < a.ends_at for a in morning)
    free = [c.starts_at for c in drawn_cells(rows) if c.kind == "free"]
    assert at(0, 9, 30) in free and at(0, 9, 45) not in free  # 09:45-09:50 is a gap
    assert at(0, 11, 45) not in free and at(0, 12) in free  # PERRY ends 11:50


def test_the_page_draws_each_card_beside_its_own_time(morning, reception):
    page = client_for(reception).get(reverse("diary:day")).content.decode()
    # The row of the quarter-hour we are in carries a "Now" badge after its time: taken out,
    # so that the test reads the same at 10:15 or 11:00 as at any other time of day.
    page = page.replace(' <span class="badge text-bg-danger">Now</span>', "")

    assert '<th scope="row" rowspan="3" class="time">11:00</th>' in page
    body = page[page.index("<tbody>") :]
    perry = body.index("11:05\u201311:50")
    # PERRY's cell (9 rows of 5 minutes) is drawn after the 11:00 header, not beside 10:15.
    assert body.rindex('class="time">11:00<', 0, perry) > body.rindex(
        'class="time">10:15<', 0, perry
    )
    assert body.rindex('<td rowspan="9" class="booked">', 0, perry) > body.index("11:00<")
    assert page.count('data-testid="appointment"') == 3


def test_a_free_slot_always_shows_it_can_be_booked(practitioner, reception):
    """Review: free slots were invisible until hovered (color: transparent), and a tablet
    has no hover. Each shows "+ Book" (its time and whose slot for screen readers).
    Tomorrow: none of its times has passed, whatever the time of day the test runs."""
    working(practitioner)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client_for(reception).get(reverse("diary:day"), {"day": tomorrow.isoformat()})
    page = page.content.decode()

    assert (
        '<i class="bi bi-plus-lg" aria-hidden="true"></i> Book<span class="visually-hidden">'
        " 09:00 with"
    ) in page
    css = (Path(settings.BASE_DIR) / "clinic/static/clinic/diary.css").read_text()
    rule = css[css.index(".diary-grid td.free a {") :].split("}", 1)[0]
    assert "transparent" not in rule and "color: var(--bs-secondary-color)" in rule


# Times already passed (browser review 07/12/2026) ----------------------------------------


def booking_links(rows) -> dict:
    """Each free cell's start: whether it offers "+ Book"."""
    return {c.starts_at: bool(c.book_url) for c in drawn_cells(rows) if c.kind == "free"}


@pytest.mark.parametrize(
    ("hour", "minute", "first_offered"),
    [(12, 0, (12, 0)), (12, 5, (12, 0)), (12, 11, (12, 15)), (9, 58, (10, 0))],
    ids=["on-the-quarter", "a-walk-in-now", "past-the-late-mark", "the-reviews-09-58"],
)
def test_no_book_on_a_free_time_already_passed_today(
    practitioner, reception, hour, minute, first_offered
):
    """At a fixed "now" today: no "+ Book" on a free 15 minutes that started before now,
    less the 10 minutes after which the diary shows a patient late (models.has_passed: a
    walk-in at 12:05 is still booked at 12:00); every later one offers it."""
    working(practitioner)  # 09:00-17:00
    now = at(0, hour, minute)
    rows = grid.day_grid(selectors.day_view(day=timezone.localdate()), can_book=True, now=now)

    offered = booking_links(rows)
    assert len(offered) == 32  # 09:00-17:00 in quarters, all free
    first = at(0, *first_offered)
    assert all(offered[start] == (start >= first) for start in offered), offered
    assert not offered[first - grid.STEP] and offered[first]


def test_no_book_on_an_earlier_day_and_every_book_on_a_later_one(practitioner, reception):
    working(practitioner)
    today = timezone.localdate()
    for offset, bookable in ((-1, False), (1, True)):
        view = selectors.day_view(day=today + timedelta(days=offset))
        offered = booking_links(grid.day_grid(view, can_book=True))
        assert offered and set(offered.values()) == {bookable}, offset


def test_the_day_page_offers_no_book_on_a_time_passed(practitioner, reception):
    """The page, at the real clock: every "+ Book" today is for a time not yet passed, and
    yesterday's page offers none."""
    working(practitioner, starts=time(0), ends=time(23, 45))
    client = client_for(reception)
    page = client.get(reverse("diary:day")).content.decode()
    now = timezone.now()
    for label in re.findall(r'Book<span class="visually-hidden"> (\d\d:\d\d) with', page):
        hour, minute = (int(part) for part in label.split(":"))
        assert at(0, hour, minute) >= now - LATE_AFTER, label
    yesterday = timezone.localdate() - timedelta(days=1)
    page = client.get(reverse("diary:day"), {"day": yesterday.isoformat()}).content.decode()
    assert 'class="free"' in page and 'class="diary-book"' not in page
