"""Managers' view of the diary (issue 15.7): the lead time from a recall to the treated
session, checked against a case worked out by hand, in the figures, the report (and its
CSV) and the dashboard panel; attendance, DNA and late-cancellation rates against a known
week, and the working time they are counted over."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary.attendance import attendance
from clinic.diary.messaging.models import PatientMessage
from clinic.diary.models import Appointment
from patients.models import Patient
from tests import clock
from tests.clinic.diary_helpers import at, book, working
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory
from treatments.models import Indication

pytestmark = pytest.mark.django_db


def treated(patient, practitioner, when, indication):
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        signed=True,
        performed_at=when,
    )


def recall(patient, indication, sent_at):
    return PatientMessage.objects.create(
        patient=patient,
        kind="recall",
        channel="sms",
        status="sent",
        indication=indication,
        send_after=sent_at,
        sent_at=sent_at,
        finished_at=sent_at,
    )


# A day with no clock change in the 24 days before it: the lead is the time elapsed, and
# the hand-worked days are London days (run from 28/03/2027, when summer time began 10 days
# before "today", A's 10 days were 9 days 23 hours).
@pytest.mark.time_machine(clock.london(date(2026, 12, 9)))
def test_lead_time_from_recall_to_treatment(practitioner, manager):
    doctor = working(practitioner)
    migraine = Indication.objects.get(slug="chronic-migraine")
    today = timezone.localdate()
    session_at = at(0, 9)
    # A: treated 100 days ago, recalled 10 days and again 5 days before today's session:
    # 10 days, from the first recall since the previous session.
    a = PatientFactory()
    treated(a, doctor, session_at - timedelta(days=100), migraine)
    recall(a, migraine, session_at - timedelta(days=10))
    recall(a, migraine, session_at - timedelta(days=5))
    treated(a, doctor, session_at, migraine)
    # B: treated 120 days ago, recalled 24 days before today's 10:00 session: 24 days and
    # one hour (4/96 of a day).
    b = PatientFactory()
    treated(b, doctor, session_at - timedelta(days=120), migraine)
    recall(b, migraine, session_at - timedelta(days=24))
    treated(b, doctor, session_at + timedelta(hours=1), migraine)
    # Not counted: C a first treatment (registered long ago, referred by their GP: the
    # record holds no referral date); D treated before and back unprompted; E recalled
    # only before their previous session; F recalled for another indication.
    c = PatientFactory(referral_source="gp")
    Patient.objects.filter(pk=c.pk).update(created_at=session_at - timedelta(days=2000))
    treated(c, doctor, session_at + timedelta(hours=2), migraine)
    d = PatientFactory()
    treated(d, doctor, session_at - timedelta(days=200), migraine)
    treated(d, doctor, session_at + timedelta(hours=3), migraine)
    e = PatientFactory()
    recall(e, migraine, session_at - timedelta(days=120))
    treated(e, doctor, session_at - timedelta(days=100), migraine)
    treated(e, doctor, session_at + timedelta(hours=4), migraine)
    f = PatientFactory()
    dystonia = Indication.objects.get(slug="cervical-dystonia")
    treated(f, doctor, session_at - timedelta(days=100), migraine)
    recall(f, dystonia, session_at - timedelta(days=7))
    treated(f, doctor, session_at + timedelta(hours=5), migraine)

    figures = attendance(start=today, end=today)

    total = figures.total
    assert total.recall_lead_days == [10.0, pytest.approx(24 + 1 / 24)]
    assert total.mean_recall_lead_days == pytest.approx((10 + 24 + 1 / 24) / 2)  # 17.02
    (line,) = figures.practitioners
    assert line.recall_lead_days == total.recall_lead_days
    assert total.recall_lead_text == "17 days"
    assert total.recall_lead_note == "Mean over 2 treatments after a recall"

    query = f"?start={today:%d/%m/%Y}&end={today:%d/%m/%Y}"
    client = client_for(manager)
    page = client.get(reverse("reports:diary-attendance") + query).content.decode()
    assert "Days from recall to treatment" in page and "17.0" in page
    csv = b"".join(
        client.get(reverse("reports:diary-attendance_csv") + query).streaming_content
    ).decode()
    assert "Mean days from recall to treatment" in csv and "17.0" in csv
    panel = client.get("/dashboard/panels/diary/" + query).content.decode()
    assert 'data-tile="diary_recall_lead">17 days<' in panel
    # Its table's hours say they are hours, as the report's do (manager review, 07/12/2026:
    # "Booked 56.6" beside "Working hours 184").
    assert '<th class="text-end">Booked hours</th>' in panel


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
