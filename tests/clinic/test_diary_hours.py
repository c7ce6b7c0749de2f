"""An appointment outside the practitioner's working hours (review: Amelia works 09:00-13:00
and 12:45-13:15 was booked with only "Booked"): one that starts before, ends after or
falls on a day off is flagged for the booker to acknowledge, when booking and when
moving; one within hours (back-to-back blocks joined) is not."""

from datetime import time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.models import Appointment, WorkingException, WorkingPattern
from tests.clinic.diary_helpers import at, book, kind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mornings(practitioner):
    """Amelia works 09:00-13:00, every day of the week."""
    practitioner.first_name, practitioner.last_name = "Amelia", "Hart"
    practitioner.save()
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(9), ends=time(13)
        )
    return practitioner


def flagged(exc) -> list[str]:
    return [c.message for c in exc.value.checks if c.code == "hours.outside"]


def test_a_booking_that_ends_after_hours_is_flagged(patient, mornings, reception):
    with pytest.raises(services.BookingNeedsAcknowledgement) as refused:
        book(patient, mornings, reception, at(1, 12, 45), "consultation")  # 30 minutes

    (message,) = flagged(refused)
    assert "Amelia Hart works 09:00\u201313:00" in message
    assert "12:45\u201313:15 runs past the end of their hours (13:00)" in message
    assert not Appointment.objects.exists()


def test_an_acknowledged_booking_after_hours_is_made_and_keeps_the_flag(
    patient, mornings, reception
):
    appointment = book(
        patient, mornings, reception, at(1, 12, 45), "consultation", acknowledge_flags=True
    )
    assert [f["code"] for f in appointment.booking_flags] == ["hours.outside"]


def test_a_booking_that_starts_before_hours_is_flagged(patient, mornings, reception):
    with pytest.raises(services.BookingNeedsAcknowledgement) as refused:
        book(patient, mornings, reception, at(1, 8, 45), "consultation")
    (message,) = flagged(refused)
    assert "08:45\u201309:15 starts before their hours (09:00)" in message


def test_a_booking_on_a_day_off_is_flagged(patient, mornings, reception):
    WorkingException.objects.create(
        practitioner=mornings, on=timezone.localdate() + timedelta(days=1), kind="leave"
    )
    with pytest.raises(services.BookingNeedsAcknowledgement) as refused:
        book(patient, mornings, reception, at(1, 10), "consultation")
    (message,) = flagged(refused)
    assert "Amelia Hart is not working on" in message


def test_a_booking_that_ends_as_hours_end_is_not_flagged(patient, mornings, reception):
    appointment = book(patient, mornings, reception, at(1, 12, 30), "consultation")
    assert appointment.booking_flags == []


def test_back_to_back_blocks_count_as_one_stretch(patient, mornings, reception):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=mornings, weekday=weekday, starts=time(13), ends=time(17)
        )
    appointment = book(patient, mornings, reception, at(1, 12, 45), "consultation")
    assert appointment.booking_flags == []


def test_a_move_that_ends_after_hours_is_flagged(patient, mornings, reception):
    appointment = book(patient, mornings, reception, at(1, 10), "consultation")

    with pytest.raises(services.BookingNeedsAcknowledgement) as refused:
        services.appointment_move(
            appointment=appointment, starts_at=at(2, 12, 45), moved_by=reception
        )
    assert "runs past the end of their hours (13:00)" in flagged(refused)[0]
    appointment.refresh_from_db()
    assert appointment.starts_at == at(1, 10)

    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 12, 45), moved_by=reception, acknowledge_flags=True
    )
    assert moved.starts_at == at(2, 12, 45)
    assert [f["code"] for f in moved.booking_flags] == ["hours.outside"]


def test_the_booking_page_asks_before_booking_past_hours(patient, mornings, reception):
    data = {
        "patient": str(patient.public_id),
        "appointment_type": kind("consultation").pk,
        "practitioner": mornings.pk,
        "day": timezone.localdate(at(1, 0)).strftime("%d/%m/%Y"),
        "start": "12:45",
    }
    response = client_for(reception).post(reverse("diary:book"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="booking-flags"' in page
    assert "runs past the end of their hours (13:00)" in page
    assert not Appointment.objects.exists()


def test_the_move_form_asks_before_moving_past_hours(patient, mornings, reception):
    appointment = book(patient, mornings, reception, at(1, 10), "consultation")
    data = {
        "day": timezone.localdate(at(2, 0)).strftime("%d/%m/%Y"),
        "start": "12:45",
        "version": appointment.version,
    }
    response = client_for(reception).post(
        reverse("diary:appointment_move", args=[appointment.public_id]), data
    )

    assert response.status_code == 200
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Not moved yet" in said
    page = response.content.decode()
    assert 'data-testid="move-flags"' in page
    assert "runs past the end of their hours (13:00)" in page
    appointment.refresh_from_db()
    assert appointment.starts_at == at(1, 10)
