"""Regression tests from the review: a front-desk step on a stale page (B6), far or
unreadable dates and numbers in the diary's addresses and forms (C4, C5)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.models import AppointmentType, WorkingPattern
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def working(user):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=user, weekday=weekday, starts=time(0), ends=time(23, 45)
        )
    return user


def now_on_grid() -> datetime:
    start = timezone.now().replace(second=0, microsecond=0)
    return start - timedelta(minutes=start.minute % 15)


def book(patient, practitioner, reception, starts_at):
    return services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="review"),
        starts_at=starts_at,
        booked_by=reception,
        acknowledge_flags=True,
    )


def step_url(appointment):
    return reverse("diary:appointment_step", args=[appointment.public_id])


# B6: a step on a stale page ------------------------------------------------------------


def test_arrived_on_a_stale_page_after_a_move_is_refused(patient, practitioner, reception):
    """Desk B moves the appointment a week ahead; desk A, on the page from before, clicks
    Arrived: nothing is marked, and A is told what changed."""
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    shown = appointment.version
    services.appointment_move(
        appointment=appointment,
        starts_at=appointment.starts_at + timedelta(days=7),
        moved_by=reception,
        expected_version=shown,
        acknowledge_flags=True,
    )
    client = client_for(reception)
    response = client.post(step_url(appointment), {"status": "arrived", "version": shown})
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.arrived_at is None
    assert response["Location"] == appointment.get_absolute_url()
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "since your page was opened" in said and "not marked arrived" in said


def test_arrived_is_refused_for_an_appointment_not_today(patient, practitioner, reception):
    """Even with no version (or the current one), Arrived is for today's appointments."""
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid() + timedelta(days=7))
    client = client_for(reception)
    response = client.post(
        step_url(appointment), {"status": "arrived", "version": appointment.version}
    )
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.arrived_at is None
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "not today" in said
    client.post(step_url(appointment), {"status": "arrived"})  # no version: the same
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_step_with_the_current_version_and_a_double_click(patient, practitioner, reception):
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    client = client_for(reception)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert f'name="version" value="{appointment.version}"' in page
    data = {"status": "arrived", "version": appointment.version}
    client.post(step_url(appointment), data)
    second = client.post(step_url(appointment), data)  # the same click again
    appointment.refresh_from_db()
    assert appointment.status == "arrived" and appointment.version == data["version"] + 1
    said = " ".join(str(m) for m in second.wsgi_request._messages)
    assert "since your page was opened" not in said


def test_the_home_pages_arrived_button_carries_the_version(patient, practitioner, reception):
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    page = client_for(reception).get("/").content.decode()
    assert f'name="version" value="{appointment.version}"' in page
