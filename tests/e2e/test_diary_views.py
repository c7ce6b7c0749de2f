"""The diary's day and week views in the browser at 1366x768 and 820x1180 (issue 15):
a busy day for three practitioners with each status (arrived, late, did not attend,
completed, a booking check flagged), screenshots checked by axe and looked at, and a free
slot booked with the keyboard alone (Tab to it, Enter)."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from clinic.diary.models import Appointment, AppointmentType, Room, WorkingPattern
from clinic.roles import Role
from tests.factories import PatientFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}


def local(hour: int, minute: int = 0):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def busy_day(practitioner, reception):
    from django.utils import timezone

    others = [
        UserFactory(username=u, first_name=f, last_name=s, role=Role.PRACTITIONER)
        for u, f, s in (("hugo", "Hugo", "Marchetti"), ("priya", "Priya", "Raman"))
    ]
    people = [practitioner, *others]
    room = Room.objects.order_by("name").first()
    for person in people:
        for weekday in range(7):
            WorkingPattern.objects.create(
                practitioner=person, weekday=weekday, starts=time(9), ends=time(13), room=room
                if person is practitioner else None,
            )  # fmt: skip
    kinds = {t.slug: t for t in AppointmentType.objects.all()}
    now = timezone.now()
    plan = [
        # (who, hour, minute, type, status, family name)
        (0, 9, 0, "migraine-treatment", "completed", "Ashdown"),
        (0, 9, 30, "review", "arrived", "Blackwood"),
        (0, 10, 0, "glabellar-treatment", "booked", "Carrow"),
        (1, 9, 0, "consultation", "dna", "Dunmore"),
        (1, 9, 45, "dystonia-treatment", "confirmed", "Ellery"),
        (1, 11, 0, "phone-review", "booked", "Fairbairn"),
        (2, 10, 0, "bladder-treatment", "booked", "Greystoke"),
        (2, 12, 0, "review", "booked", "Hollins"),
    ]
    for who, hour, minute, slug, status, family in plan:
        kind = kinds[slug]
        starts = local(hour, minute)
        Appointment.objects.create(
            patient=PatientFactory(family_name=family),
            practitioner=people[who],
            appointment_type=kind,
            indication=kind.indication,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=kind.default_minutes),
            status=status,
            room=room if who == 0 else None,
            booked_by=reception,
            arrived_at=now if status in ("arrived", "completed") else None,
            booking_flags=[{"code": "interval.too_soon", "message": "Before the eligible date"}]
            if family == "Carrow"
            else [],
        )
    return people


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_the_day_and_week_views_and_keyboard_booking(
    page: Page, live_server, reception, practitioner, login, shot, viewport
):
    page.set_viewport_size(viewport)
    size = "laptop" if viewport is LAPTOP else "ipad"
    busy_day(practitioner, reception)

    login(page, live_server, "rita")
    page.goto(f"{live_server.url}/diary/")
    grid = page.get_by_test_id("diary-day")
    expect(grid.get_by_test_id("appointment")).to_have_count(8)
    expect(grid).to_contain_text("DUNMORE")
    expect(grid).to_contain_text("1 booking check")
    shot(page, f"diary-08-day-{size}")

    # The keyboard alone: Tab to the first free slot's link, Enter opens the booking form
    # with that practitioner and time. Tomorrow's: today's free times may all have passed
    # by the time the test runs (no "+ Book" on a time passed, browser review 07/12/2026).
    tomorrow = local(0).date() + timedelta(days=1)
    page.goto(f"{live_server.url}/diary/?day={tomorrow:%Y-%m-%d}")
    first_free = grid.locator("td.free a").first
    label = first_free.inner_text()
    first_free.focus()
    expect(first_free).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/diary/book/\?practitioner="))
    expect(page.get_by_label("Time", exact=True)).to_have_value(
        re.search(r"\d\d:\d\d", label).group(0)
    )

    page.goto(f"{live_server.url}/diary/")
    page.get_by_role("link", name=re.compile(practitioner.get_full_name())).first.click()
    expect(page).to_have_url(re.compile(r"/diary/week/"))
    week = page.locator(".diary-appt")
    expect(week).to_have_count(3)
    expect(week.first).to_contain_text("Completed")  # in words, not colour alone
    expect(page.get_by_text("1 booking check")).to_be_visible()
    shot(page, f"diary-09-week-{size}")
