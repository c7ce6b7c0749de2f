"""The front desk's steps from the home page's list of today's visits: arrival, did not
attend, and undoing either, back to the visit's row."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.diary.models import Appointment
from tests import clock
from tests.clinic.diary_helpers import at, book, post_step
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_reception_marks_an_arrival_from_the_home_page(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(0, 9))
    client = client_for(reception)
    page = client.get("/").content.decode()
    assert 'data-testid="arrive"' in page
    # An action, not a state: a solid green "Arrived" on every row read as if everyone
    # had arrived (browser review 05/12).
    assert "btn-outline-success" in page and ">Arrived</button>" not in page
    assert f'<span class="visually-hidden">{escape(patient.display_name)} </span>arrived' in page
    assert "not reviewed" not in page and "side effect" not in page  # nothing clinical
    client.post(
        reverse("diary:appointment_step", args=[appointment.public_id]),
        {"status": "arrived", "next": "/", "version": appointment.version},
    )
    appointment.refresh_from_db()
    assert appointment.status == "arrived"


def test_a_mistapped_arrival_is_undone_from_the_home_page_and_keeps_the_place(
    patient, doctor, reception
):
    """Browser review (07/12/2026): a mis-tap on the stacked iPad buttons marked the wrong
    patient arrived, with no way back; and each step reloaded the list at its top."""
    appointment = book(patient, doctor, reception, at(0, 9))
    client = client_for(reception)
    page = client.get("/").content.decode()
    row = f'id="visit-{appointment.public_id}"'
    assert row in page
    assert f'name="next" value="/#visit-{appointment.public_id}"' in page  # back to the row
    response = post_step(client, appointment, "arrived", next=f"/#visit-{appointment.public_id}")
    assert response["Location"] == f"/#visit-{appointment.public_id}"
    page = client.get("/").content.decode()
    assert 'data-testid="undo-arrive"' in page
    # Read out as "Undo arrival of SMITH, Jane, Ms", not "Undo SMITH, Jane, Ms's arrival"
    # (reception review 07/12/2026).
    name = escape(appointment.patient.display_name)
    assert f'Undo arrival<span class="visually-hidden"> of {name}</span>' in page
    response = post_step(client, appointment, "booked", next=f"/#visit-{appointment.public_id}")
    assert response["Location"] == f"/#visit-{appointment.public_id}"
    appointment.refresh_from_db()
    assert (appointment.status, appointment.arrived_at) == ("booked", None)
    said = client.get("/").content.decode()
    assert "Undone: the appointment is booked again." in said
    assert 'data-testid="undo-arrive"' not in said and 'data-testid="arrive"' in said


def test_undo_goes_back_to_confirmed_and_refuses_once_treatment_began(patient, doctor, reception):
    from clinic.diary import steps

    client = client_for(reception)
    confirmed = book(patient, doctor, reception, at(0, 9))
    post_step(client, confirmed, "confirmed")
    post_step(client, confirmed, "arrived")
    post_step(client, confirmed, "booked")
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None
    # A double-click on Undo (the second press carries the page's old version): once.
    confirmed.refresh_from_db()
    version = confirmed.version
    post_step(client, confirmed, "arrived")
    for _ in range(2):
        client.post(
            reverse("diary:appointment_step", args=[confirmed.public_id]),
            {"status": "booked", "version": version + 1},
        )
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.version) == ("confirmed", version + 2)
    # A did-not-attend marked by mistake (yesterday's): booked again, from its page.
    missed = book(PatientFactory(), doctor, reception, at(-1, 10))
    post_step(client, missed, "dna")
    page = client.get(missed.get_absolute_url()).content.decode()
    assert "Undo did not attend" in page
    post_step(client, missed, "booked")
    assert Appointment.objects.get(pk=missed.pk).status == "booked"
    # Nothing to undo on an appointment that is only booked: it is left as it is.
    other = book(PatientFactory(), doctor, reception, at(0, 11))
    steps.appointment_set_status(appointment=other, status="booked", user=reception)
    assert Appointment.objects.get(pk=other.pk).version == other.version
    # Once a session was started from the arrival, it stays.
    post_step(client, other, "arrived")
    other.refresh_from_db()
    other.session = TreatmentSessionFactory(patient=other.patient, practitioner=doctor)
    other.save()
    with pytest.raises(steps.ValidationError, match="A session was started"):
        steps.appointment_set_status(appointment=other, status="booked", user=reception)
    page = client_for(reception).get(other.get_absolute_url()).content.decode()
    assert 'data-testid="undo-step"' not in page


@pytest.mark.time_machine(clock.london(timezone.localdate(), 11))
def test_a_late_visit_is_marked_did_not_attend_from_the_home_page(patient, doctor, reception):
    """Reception review (07/12/2026): a visit past its start with no arrival had only
    "Mark arrived" on the home page; "did not attend" meant opening each one."""
    late = book(patient, doctor, reception, at(0, 10))
    coming = book(PatientFactory(), doctor, reception, at(0, 15))
    client = client_for(reception)
    page = client.get("/").content.decode()
    row = page.split(f'id="visit-{late.public_id}"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="dna"' in row
    other = page.split(f'id="visit-{coming.public_id}"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="dna"' not in other  # not late: not offered
    response = post_step(client, late, "dna", next=f"/#visit-{late.public_id}")
    assert response["Location"] == f"/#visit-{late.public_id}"
    late.refresh_from_db()
    assert late.status == "dna"
    # A mis-tap is put right from the same row (code review 07/12/2026: only the visit's
    # own page could undo it).
    page = client.get("/").content.decode()
    row = page.split(f'id="visit-{late.public_id}"', 1)[1].split("</li>", 1)[0]
    assert 'data-testid="undo-dna"' in row
    post_step(client, late, "booked", next=f"/#visit-{late.public_id}")
    late.refresh_from_db()
    assert late.status == "booked"
