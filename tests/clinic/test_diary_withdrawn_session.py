"""A session started from an appointment and then withdrawn (treatment not given): the
appointment, "in treatment" with it, is arrived again without it (its history keeps the
session it had), so the patient can be treated in a new session, or the visit completed
or rebooked. The withdrawal itself: tests/treatments/test_session_withdraw.py."""

import pytest

from clinic.diary import steps
from clinic.diary.models import Appointment
from tests.clinic.diary_helpers import at, book
from treatments import services as treatment_services
from treatments.choices import SessionStatus
from treatments.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_treatment(patient, doctor, reception):
    botox = Product.objects.get(slug="botox")
    appointment = book(patient, doctor, reception, at(0, 9), "dystonia-treatment", product=botox)
    steps.appointment_set_status(appointment=appointment, status="arrived", user=reception)
    session = steps.appointment_start_session(appointment=appointment, practitioner=doctor)
    appointment.refresh_from_db()
    assert appointment.status == "in-treatment" and appointment.session == session
    return appointment


def test_withdrawing_the_session_puts_the_appointment_back_to_arrived(in_treatment, doctor):
    session = in_treatment.session
    version = in_treatment.version
    treatment_services.session_withdraw(
        session=session, by=doctor, reason="deferred", note="Chest infection: rebook"
    )
    in_treatment.refresh_from_db()
    assert in_treatment.status == "arrived" and in_treatment.session_id is None
    assert in_treatment.version == version + 1
    latest, before = Appointment.history.filter(id=in_treatment.pk).order_by("-history_id")[:2]
    assert latest.status == "arrived" and latest.history_user == doctor
    assert before.session_id == session.pk  # what it had is kept
    # The patient can be treated in a new session from the appointment: no draft to ask about.
    again = steps.appointment_start_session(appointment=in_treatment, practitioner=doctor)
    assert again != session and again.status == SessionStatus.DRAFT
    in_treatment.refresh_from_db()
    assert in_treatment.status == "in-treatment" and in_treatment.session == again


def test_or_the_visit_is_completed_without_a_session(in_treatment, doctor, reception):
    treatment_services.session_withdraw(
        session=in_treatment.session, by=doctor, reason="declined", note=""
    )
    in_treatment.refresh_from_db()
    done = steps.appointment_set_status(
        appointment=in_treatment, status="completed", user=reception
    )
    assert done.status == "completed" and done.session_id is None


def test_a_completed_appointment_keeps_its_session(in_treatment, doctor, reception):
    """Completed by hand while the draft was open: the visit stands as recorded."""
    session = in_treatment.session
    steps.appointment_set_status(appointment=in_treatment, status="completed", user=reception)
    treatment_services.session_withdraw(session=session, by=doctor, reason="started-in-error")
    in_treatment.refresh_from_db()
    assert in_treatment.status == "completed" and in_treatment.session == session
