"""An archived record takes no new visit and no new session (security review 07/12/2026:
the pages hide both, but a booking or a start sent directly went through)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.diary.models import Appointment
from clinic.diary.slot import BookingRefused
from patients import services as patient_services
from tests.clinic.diary_helpers import at, book
from tests.conftest import client_for
from tests.treatments.session_helpers import indication, product, ready_patient_for
from treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db


def archive(patient, by):
    return patient_services.patient_archive(
        patient=patient, archived_by=by, reason="Moved abroad", expected_version=patient.version
    )


def test_an_archived_record_is_not_booked(doctor, reception, manager):
    patient = archive(ready_patient_for(doctor), manager)
    with pytest.raises(BookingRefused) as refused:
        book(patient, doctor, reception, at(1, 10), "review")
    (check,) = refused.value.checks
    assert check.code == "patient.archived"
    assert "archived (Moved abroad): restore it" in check.message
    assert not Appointment.objects.filter(patient=patient).exists()


def test_an_archived_record_starts_no_session(practitioner, manager):
    patient = archive(ready_patient_for(practitioner), manager)
    client = client_for(practitioner)
    url = reverse("treatments:session_new", args=[patient.public_id])
    detail = reverse("patients:detail", args=[patient.public_id])
    page = client.get(url)
    assert page.status_code == 302 and page["Location"] == detail
    sent = client.post(
        url, {"indication": indication("glabellar-lines").pk, "product": product("botox").pk}
    )
    assert sent.status_code == 302 and sent["Location"] == detail
    assert "archived" in str(list(get_messages(sent.wsgi_request))[-1])
    assert not TreatmentSession.objects.filter(patient=patient).exists()


def test_an_archived_record_s_visit_is_not_moved_but_still_cancelled(doctor, reception, manager):
    """A visit booked before the record was archived: a move is refused with the reason on
    the appointment page (no error page), and it can still be cancelled."""
    patient = ready_patient_for(doctor)
    appointment = book(patient, doctor, reception, at(1, 10), "review")
    archive(patient, manager)
    client = client_for(reception)
    moved = client.post(
        reverse("diary:appointment_move", args=[appointment.public_id]),
        {"day": f"{at(2, 10):%d/%m/%Y}", "start": "10:00", "version": appointment.version},
        follow=True,
    )
    assert moved.status_code == 200
    assert "archived (Moved abroad): restore it" in moved.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(1, 10)
    cancelled = client.post(
        reverse("diary:appointment_cancel", args=[appointment.public_id]),
        {"cancelled_by": "clinic", "reason": "Record archived", "version": appointment.version},
    )
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
