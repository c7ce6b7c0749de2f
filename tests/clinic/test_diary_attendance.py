"""The managers' view of the diary (issue 15): attendance, DNA and late-cancellation rates,
and the working time they are counted over."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.models import Appointment
from tests.clinic.diary_helpers import at, book
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_attendance_figures_against_a_known_week(doctor, reception, manager):
    """Utilisation, DNA and late-cancellation rates computed by hand for one day."""
    from clinic.diary.attendance import attendance

    day = timezone.localdate() - timedelta(days=1)
    offset = -1
    came = book(PatientFactory(), doctor, reception, at(offset, 9), "migraine-treatment")
    Appointment.objects.filter(pk=came.pk).update(status="completed")
    missed = book(PatientFactory(), doctor, reception, at(offset, 10))
    Appointment.objects.filter(pk=missed.pk).update(status="dna")
    late = book(PatientFactory(), doctor, reception, at(offset, 11))
    Appointment.objects.filter(pk=late.pk).update(
        status="cancelled", cancelled_at=timezone.now(), cancelled_by="patient",
        is_late_cancellation=True,
    )  # fmt: skip
    figures = attendance(start=day, end=day)
    (line,) = figures.practitioners
    assert line.working_minutes == 8 * 60  # 09:00-17:00
    assert line.booked_minutes == 30  # the completed one; a DNA or cancellation frees it
    assert (line.appointments, line.attended, line.did_not_attend) == (3, 1, 1)
    assert line.dna_rate == 0.5 and line.late_cancellation_rate == 1 / 3
    page = client_for(manager).get(
        reverse("reports:diary-attendance") + f"?start={day:%d/%m/%Y}&end={day:%d/%m/%Y}"
    )
    assert page.status_code == 200 and "50%" in page.content.decode()
    # The rate's parts beside it, and what the appointments count (manager review).
    text = " ".join(page.content.decode().split())
    for heading in ("Appointments (to come included)", "> Attended <", "DNA rate (of attended"):
        assert heading in text, heading
    assert client_for(reception).get(reverse("reports:diary-attendance")).status_code == 403


def test_working_time_is_counted_from_the_diarys_first_booking(doctor, reception, manager):
    """Manager review (07/12/2026): over 12 months, a year of working hours against the
    fortnight the diary had been used read as 2% utilisation."""
    from clinic.diary.attendance import attendance

    today = timezone.localdate()
    booked = book(PatientFactory(), doctor, reception, at(-2, 9), "migraine-treatment")
    Appointment.objects.filter(pk=booked.pk).update(status="completed")
    first_day = today - timedelta(days=2)
    figures = attendance(start=today - timedelta(days=364), end=first_day)
    (line,) = figures.practitioners
    assert line.working_minutes == 8 * 60  # the one day since the first booking
    assert figures.working_counted_from == first_day
    assert figures.working_note == (
        f"Working hours from {first_day:%d/%m/%Y}, the diary's first booking"
    )
    # A period that starts after it is counted whole, and says nothing.
    assert attendance(start=first_day, end=first_day).working_counted_from is None
    year = f"?start={today - timedelta(days=364):%d/%m/%Y}&end={today:%d/%m/%Y}"
    board = client_for(manager).get(reverse("reports:dashboard_panel", args=["diary"]) + year)
    assert "the diary&#x27;s first booking" in board.content.decode()
    report = client_for(manager).get(reverse("reports:diary-attendance") + year).content.decode()
    assert 'data-testid="report-note">Working hours from' in report
