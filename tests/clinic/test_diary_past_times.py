"""A time already passed (browser review 07/12/2026: at 09:58 reception booked 09:00 from
the day view, and it was made without a word and showed "Late" at once): a booking or a
move to a start more than LATE_AFTER ago is a check to acknowledge, not a refusal (a
walk-in may be recorded after the visit), said in plain words; the free times offered
after a clash are none of them passed. The day view's "+ Book" is in test_diary_grid.py."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.checks import past_check
from clinic.diary.models import LATE_AFTER, Appointment, has_passed
from tests.clinic.diary_helpers import at, book, kind
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

RECORD_ONLY = "has already passed: book it only to record a visit that happened."


def book_plainly(patient, practitioner, reception, starts_at, **kwargs):
    """Through the service with nothing acknowledged unless said (the helper `book`
    acknowledges a time passed, for tests that set up today's diary)."""
    return services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=kind("review"),
        starts_at=starts_at,
        booked_by=reception,
        **kwargs,
    )


def test_the_check_says_the_time_in_plain_words_at_a_fixed_now():
    """At 09:58: 09:00 today has passed; 09:50 too (the diary shows it late from 10:00);
    09:55 is a walk-in now, not a record; yesterday's time names its day."""
    now = at(0, 9, 58)
    check = past_check(starts_at=at(0, 9), now=now)
    assert (check.level, check.code) == ("flag", "time.past")
    assert check.message == f"09:00 today {RECORD_ONLY}"
    assert check.source == "it is now 09:58"
    assert past_check(starts_at=at(0, 9, 45), now=now) is not None
    assert past_check(starts_at=at(0, 9, 50), now=now) is None  # late only after 10:00
    assert past_check(starts_at=at(0, 10), now=now) is None
    yesterday = timezone.localdate() - timedelta(days=1)
    assert past_check(starts_at=at(-1, 16, 30), now=now).message == (
        f"16:30 on {yesterday:%A %d/%m/%Y} {RECORD_ONLY}"
    )
    moved = past_check(starts_at=at(0, 9), now=now, doing="move it there")
    assert moved.message.endswith("move it there only to record a visit that happened.")


def test_a_booking_at_a_time_passed_is_flagged_and_made_once_acknowledged(
    patient, doctor, reception
):
    with pytest.raises(services.BookingNeedsAcknowledgement) as asked:
        book_plainly(patient, doctor, reception, at(-1, 10))
    (check,) = asked.value.checks
    assert check.code == "time.past" and check.message.startswith("10:00 on ")
    assert not Appointment.objects.exists()

    made = book_plainly(patient, doctor, reception, at(-1, 10), acknowledge_flags={check.key})
    assert [f["code"] for f in made.booking_flags] == ["time.past"]
    assert made.booking_flags[0]["message"] == check.message


def test_a_time_passed_today_is_flagged_and_a_walk_in_now_is_not(patient, doctor, reception):
    """At the real clock: half an hour ago has passed (today, or yesterday just after
    midnight); the minute we are in is a walk-in booked now."""
    minute = timezone.now().replace(second=0, microsecond=0)
    with pytest.raises(services.BookingNeedsAcknowledgement) as asked:
        book_plainly(patient, doctor, reception, minute - timedelta(minutes=30))
    passed = [c for c in asked.value.checks if c.code == "time.past"]
    assert len(passed) == 1 and passed[0].message.endswith(RECORD_ONLY)

    walk_in = book_plainly(PatientFactory(), doctor, reception, minute, acknowledge_flags=True)
    assert "time.past" not in [f["code"] for f in walk_in.booking_flags]  # hours may flag


def test_a_move_to_a_time_passed_is_flagged_and_made_once_acknowledged(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(2, 10))
    with pytest.raises(services.BookingNeedsAcknowledgement) as asked:
        services.appointment_move(appointment=appointment, starts_at=at(-1, 11), moved_by=reception)
    (check,) = asked.value.checks
    assert check.code == "time.past"
    assert check.message.endswith("move it there only to record a visit that happened.")
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2, 10)

    moved = services.appointment_move(
        appointment=appointment, starts_at=at(-1, 11), moved_by=reception, acknowledge_flags=True
    )
    assert moved.starts_at == at(-1, 11)
    assert [f["code"] for f in moved.booking_flags] == ["time.past"]


def test_a_clash_at_a_time_passed_offers_only_times_to_come(patient, doctor, reception):
    book(PatientFactory(), doctor, reception, at(-1, 10))  # recorded, acknowledged
    with pytest.raises(services.DoubleBooking) as taken:
        book_plainly(patient, doctor, reception, at(-1, 10))
    assert taken.value.free
    now = timezone.now()
    assert not [s.starts_at for s in taken.value.free if has_passed(s.starts_at, now)]
    assert all(s.starts_at >= now - LATE_AFTER for s in taken.value.free)


def test_the_booking_page_asks_before_booking_a_time_passed(patient, doctor, reception):
    client = client_for(reception)
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "patient": str(patient.public_id),
        "appointment_type": kind("review").pk,
        "practitioner": doctor.pk,
        "day": f"{yesterday:%d/%m/%Y}",
        "start": "09:00",
    }
    page = client.post(reverse("diary:book"), data).content.decode()
    assert 'data-testid="booking-flags"' in page
    assert f"09:00 on {yesterday:%A %d/%m/%Y} {RECORD_ONLY}" in page
    assert not Appointment.objects.exists()

    codes = re.search(r'name="acknowledged_codes" value="([^"]*)"', page).group(1)
    done = client.post(
        reverse("diary:book"), data | {"acknowledge_flags": "on", "acknowledged_codes": codes}
    )
    assert done.status_code == 302
    assert [f["code"] for f in Appointment.objects.get().booking_flags] == ["time.past"]


def test_the_move_form_asks_before_moving_to_a_time_passed(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(2, 10))
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(reception).post(
        reverse("diary:appointment_move", args=[appointment.public_id]),
        {"day": f"{yesterday:%d/%m/%Y}", "start": "11:00", "version": appointment.version},
    )
    assert response.status_code == 200
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Not moved yet" in said
    page = response.content.decode()
    assert 'data-testid="move-flags"' in page
    assert f"11:00 on {yesterday:%A %d/%m/%Y} has already passed: move it there only" in page
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2, 10)
