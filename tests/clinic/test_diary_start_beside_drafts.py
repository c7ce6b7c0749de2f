"""The diary's Start session for a patient who already has an unsigned session (anyone's,
for any indication): as on the new-session page
(tests/treatments/test_session_start_beside_drafts.py), nothing is started until
"Start another session anyway" is ticked under the drafts the appointment page lists. The
today lists' Start session button has no box: refused, it leads to the appointment page,
which says why. An appointment whose session was started already opens it, as before."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from clinic.diary import steps
from tests.clinic.diary_helpers import at, book
from tests.conftest import client_for
from tests.factories import TreatmentSessionFactory
from treatments import services as treatment_services
from treatments.choices import SessionStatus
from treatments.models import Product, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(patient, doctor, reception):
    """Today's cervical dystonia treatment with BOTOX, the patient arrived."""
    botox = Product.objects.get(slug="botox")
    appointment = book(patient, doctor, reception, at(0, 9), "dystonia-treatment", product=botox)
    return steps.appointment_set_status(appointment=appointment, status="arrived", user=reception)


@pytest.fixture
def other_draft(patient, colleague):
    """A colleague's unsigned migraine session for the same patient, begun earlier."""
    return TreatmentSessionFactory(patient=patient, practitioner=colleague)


def start_url(appointment) -> str:
    return reverse("diary:appointment_start", args=[appointment.public_id])


def drafts_of(patient) -> set[TreatmentSession]:
    return set(TreatmentSession.objects.filter(patient=patient, status=SessionStatus.DRAFT))


def test_the_step_refuses_a_start_beside_a_draft_not_acknowledged(arrived, doctor, other_draft):
    with pytest.raises(treatment_services.OtherDraftsOpen) as refused:
        steps.appointment_start_session(appointment=arrived, practitioner=doctor)
    assert refused.value.drafts == [other_draft]
    arrived.refresh_from_db()
    assert arrived.session_id is None and arrived.status == "arrived"
    assert drafts_of(arrived.patient) == {other_draft}


def test_the_step_starts_beside_it_once_acknowledged(arrived, doctor, other_draft):
    session = steps.appointment_start_session(
        appointment=arrived, practitioner=doctor, acknowledge_drafts={str(other_draft.public_id)}
    )
    arrived.refresh_from_db()
    assert arrived.session == session and arrived.status == "in-treatment"
    created = TreatmentSession.history.get(id=session.pk, history_type="+")
    assert created.history_change_reason == (
        "Started anyway beside an unsigned session (BOTOX for Chronic migraine prophylaxis)"
    )
    # Its own session is opened again, whatever other drafts there are (a double-click).
    again = steps.appointment_start_session(appointment=arrived, practitioner=doctor)
    assert again == session
    assert drafts_of(arrived.patient) == {other_draft, session}


def test_the_today_lists_start_is_refused_and_leads_to_the_appointment_page(
    arrived, doctor, other_draft
):
    client = client_for(doctor)
    response = client.post(start_url(arrived))  # the today list's button: no box
    assert response.status_code == 302 and response.url == arrived.get_absolute_url()
    assert drafts_of(arrived.patient) == {other_draft}
    page = client.get(response.url).content.decode()
    name = escape(arrived.patient.full_name)
    assert f"Not started: {name} already has an unsigned session" in page
    # The page lists it, named (it is the colleague's: no editor's link), with the box.
    assert "BOTOX for Chronic migraine prophylaxis · Samir Patel · started " in page
    assert "(only Samir Patel can edit it)" in page
    assert reverse("treatments:session_edit", args=[other_draft.public_id]) not in page
    assert 'name="start_anyway"' in page
    assert f'name="drafts_shown" value="{other_draft.public_id}"' in page


def test_the_ticked_start_from_the_appointment_page_opens_the_new_session(
    arrived, doctor, other_draft
):
    response = client_for(doctor).post(
        start_url(arrived),
        {"start_anyway": "on", "drafts_shown": str(other_draft.public_id)},
    )
    arrived.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("treatments:session_edit", args=[arrived.session.public_id])
    assert drafts_of(arrived.patient) == {other_draft, arrived.session}


def test_a_tick_does_not_cover_a_draft_started_since_the_page(
    arrived, doctor, colleague, other_draft
):
    since = TreatmentSessionFactory(patient=arrived.patient, practitioner=colleague)
    client = client_for(doctor)
    response = client.post(
        start_url(arrived), {"start_anyway": "on", "drafts_shown": str(other_draft.public_id)}
    )
    assert response.status_code == 302 and response.url == arrived.get_absolute_url()
    assert drafts_of(arrived.patient) == {other_draft, since}
    page = client.get(response.url).content.decode()
    assert "another unsigned session for" in page and "was started since the page" in page


def test_the_owners_draft_is_linked_to_its_editor_on_the_appointment_page(arrived, doctor):
    own = TreatmentSessionFactory(patient=arrived.patient, practitioner=doctor)
    page = client_for(doctor).get(arrived.get_absolute_url()).content.decode()
    assert f'href="{reverse("treatments:session_edit", args=[own.public_id])}"' in page
    assert "Open this draft" in page


def test_no_list_nor_box_without_a_draft_and_the_start_goes_ahead(arrived, doctor):
    client = client_for(doctor)
    page = client.get(arrived.get_absolute_url()).content.decode()
    assert 'data-testid="start-session"' in page
    assert 'data-testid="open-drafts"' not in page and 'name="start_anyway"' not in page
    response = client.post(start_url(arrived))
    arrived.refresh_from_db()
    assert response.url == reverse("treatments:session_edit", args=[arrived.session.public_id])
    # The appointment's own draft is not listed against it: "Open the session".
    page = client.get(arrived.get_absolute_url()).content.decode()
    assert "Open the session" in page and 'data-testid="open-drafts"' not in page
