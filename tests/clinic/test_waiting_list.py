"""The waiting list (issue 15.6): a cancellation offers its slot to the patients waiting
for that type of appointment (with that practitioner or anyone, from a date on or before
it), shown on the cancellation's message and on the waiting-list page with a "Book this
slot" link; booking takes them off the list; the page's pinned query count."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.diary import services as diary_services
from clinic.diary.models import AppointmentType, WorkingPattern
from clinic.diary.waiting_list import services
from clinic.diary.waiting_list.models import WaitingListEntry
from clinic.roles import Role
from patients import services as patient_services
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def working(user):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=user, weekday=weekday, starts=time(8), ends=time(18)
        )
    return user


def at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def kind(slug: str) -> AppointmentType:
    return AppointmentType.objects.get(slug=slug)


# When they can come (tests/clinic/test_waiting_list_availability.py): any time, any day.
CAN_COME = {"time_of_day": "any", "weekdays": [str(day) for day in range(7)]}


def wait(patient, reception, *, slug="review", practitioner=None, from_offset=0):
    return services.waiting_list_add(
        patient=patient,
        appointment_type=kind(slug),
        practitioner=practitioner,
        from_date=timezone.localdate() + timedelta(days=from_offset),
        created_by=reception,
    )


def book(patient, doctor, reception, starts_at, slug="review"):
    return diary_services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=kind(slug),
        starts_at=starts_at,
        booked_by=reception,
    )


def test_a_cancellation_offers_the_slot_to_matching_patients(doctor, reception):
    colleague = working(UserFactory(username="nurse2", role=Role.PRACTITIONER))
    anyone = wait(PatientFactory(), reception)
    with_doctor = wait(PatientFactory(), reception, practitioner=doctor)
    with_colleague = wait(PatientFactory(), reception, practitioner=colleague)
    other_type = wait(PatientFactory(), reception, slug="consultation")
    too_late = wait(PatientFactory(), reception, from_offset=10)
    withdrawn = services.waiting_list_withdraw(
        entry=wait(PatientFactory(), reception), user=reception
    )
    appointment = book(PatientFactory(), doctor, reception, at(3, 10))

    cancelled = diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="patient", reason="Away", user=reception
    )

    assert [e.pk for e in cancelled.waiting_list_offers] == [anyone.pk, with_doctor.pk]
    statuses = dict(WaitingListEntry.objects.values_list("pk", "status"))
    assert statuses[anyone.pk] == statuses[with_doctor.pk] == "offered"
    for entry in (with_colleague, other_type, too_late):
        assert statuses[entry.pk] == "waiting"
    assert statuses[withdrawn.pk] == "withdrawn"
    offered = WaitingListEntry.objects.get(pk=anyone.pk)
    assert offered.offered_appointment == appointment and offered.offered_at


def test_the_cancellation_message_names_who_is_waiting(reception_client, doctor, reception):
    waiting = wait(PatientFactory(family_name="Pemberton"), reception)
    appointment = book(PatientFactory(), doctor, reception, at(3, 10))
    response = reception_client.post(
        reverse("diary:appointment_cancel", args=[appointment.public_id]),
        {"cancelled_by": "clinic", "reason": "Doctor ill", "version": appointment.version},
        follow=True,
    )
    html = response.content.decode()
    assert f"Waiting for this slot: {waiting.patient.full_name}" in html
    assert f'href="{reverse("diary:waiting_list")}"' in html


def test_the_waiting_list_page_links_to_book_the_offered_slot(reception_client, doctor, reception):
    waiting = wait(PatientFactory(), reception)
    appointment = book(PatientFactory(), doctor, reception, at(3, 10))
    diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="patient", reason="Away", user=reception
    )
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert 'data-testid="book-offered-slot"' in html
    start = timezone.localtime(appointment.starts_at).isoformat()
    link = (
        f"{reverse('diary:book')}?patient={waiting.patient.public_id}&amp;"
        f"practitioner={doctor.pk}&amp;appointment_type={appointment.appointment_type_id}&amp;"
        f"start={quote(start)}"
    )
    assert link in html

    # The link opens the booking form with the patient, practitioner, type and time.
    form = reception_client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert form.context["patient"] == waiting.patient
    initial = form.context["form"].initial
    assert initial["start"] == "10:00" and initial["practitioner"] == str(doctor.pk)

    # Booked: off the list.
    booked = book(waiting.patient, doctor, reception, at(3, 10))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.booked_appointment) == ("booked", booked)
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert 'data-testid="book-offered-slot"' not in html  # booked, shown as such
    assert f'href="{booked.get_absolute_url()}"' in html


def test_reception_adds_and_withdraws(reception_client, reception, doctor):
    patient = PatientFactory()
    page = reception_client.get(reverse("diary:waiting_list"), {"patient": patient.public_id})
    assert patient.record_number in page.content.decode()
    response = reception_client.post(
        reverse("diary:waiting_list"),
        {
            "patient": patient.public_id,
            "appointment_type": kind("review").pk,
            "practitioner": doctor.pk,
            "from_date": timezone.localdate().strftime("%d/%m/%Y"),
            "notes": "Mornings only",
            **CAN_COME,
        },
    )
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get()
    assert (entry.patient, entry.practitioner, entry.notes) == (patient, doctor, "Mornings only")
    assert entry.created_by == reception

    reception_client.post(reverse("diary:waiting_list_withdraw"), {"entry": entry.pk})
    entry.refresh_from_db()
    assert entry.status == "withdrawn" and entry.withdrawn_at
    assert (
        patient.record_number
        not in reception_client.get(reverse("diary:waiting_list")).content.decode()
    )


def test_a_patient_waits_once_for_a_kind_of_appointment(reception_client, reception, doctor):
    """Two page loads (two forms) adding the same patient for the same kind: one entry, and
    the second is told who is waiting since when; withdrawn, they can be added again."""
    patient = PatientFactory()
    form = {
        "patient": patient.public_id,
        "appointment_type": kind("review").pk,
        "from_date": timezone.localdate().strftime("%d/%m/%Y"),
        "notes": "Mornings only",
        **CAN_COME,
    }
    assert reception_client.post(reverse("diary:waiting_list"), form).status_code == 302
    again = reception_client.post(reverse("diary:waiting_list"), {**form, "notes": "Any time"})
    assert again.status_code == 200
    page = again.content.decode()
    assert f"{escape(patient.full_name)} is already on the waiting list for" in page
    assert "Any time" in page  # what was typed is kept
    assert WaitingListEntry.objects.filter(patient=patient).count() == 1
    wait(patient, reception, slug="migraine-treatment")  # another kind: a second entry
    entry = WaitingListEntry.objects.get(patient=patient, appointment_type=kind("review"))
    services.waiting_list_withdraw(entry=entry, user=reception)
    assert reception_client.post(reverse("diary:waiting_list"), form).status_code == 302
    assert WaitingListEntry.objects.filter(patient=patient).count() == 3


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("01/01/0001", "That date is too far in the past: check the year."),
        ("31/12/9999", "Appointments can be booked up to 2 years ahead"),
    ],
)
def test_an_implausible_from_date_is_a_form_error(reception_client, doctor, typed, error):
    response = reception_client.post(
        reverse("diary:waiting_list"),
        {
            "patient": PatientFactory().public_id,
            "appointment_type": kind("review").pk,
            "practitioner": doctor.pk,
            "from_date": typed,
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not WaitingListEntry.objects.exists()


def test_the_waiting_list_is_reception_s(practitioner_client, manager_client):
    assert practitioner_client.get(reverse("diary:waiting_list")).status_code == 403
    assert manager_client.get(reverse("diary:waiting_list")).status_code == 403


def test_a_slot_in_the_past_is_offered_to_nobody(doctor, reception):
    wait(PatientFactory(), reception, from_offset=-5)
    appointment = book(PatientFactory(), doctor, reception, at(1, 10))
    type(appointment).objects.filter(pk=appointment.pk).update(
        starts_at=at(-1, 10), ends_at=at(-1, 11)
    )
    appointment.refresh_from_db()
    cancelled = diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="clinic", reason="Error", user=reception
    )
    assert cancelled.waiting_list_offers == []


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("diary:waiting_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_waiting_list_query_count_is_pinned(reception_client, doctor, reception):
    # + 1 entries (with patient, type, practitioner and the offered slot's practitioner)
    # + 2 the form's "With" (who works in the diary, then their names) + 1 appointment
    # types + access event
    appointment = book(PatientFactory(), doctor, reception, at(3, 10))
    wait(PatientFactory(), reception, practitioner=doctor)
    diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="patient", reason="Away", user=reception
    )
    few = _page_queries(reception_client)
    for n in range(29):
        wait(PatientFactory(), reception, practitioner=doctor if n % 2 else None)
    assert _page_queries(reception_client) == few
    assert few == BASE + 4 + ACCESS_LOG, few


def test_a_long_waiting_list_says_how_long_it_is(reception_client, reception, monkeypatch):
    """The page lists 200: past that it gives the total (it stopped there in silence)."""
    from functools import partial

    from clinic.diary.waiting_list import selectors, views

    entries = [wait(PatientFactory(), reception) for _ in range(3)]
    original = selectors.waiting_list
    monkeypatch.setattr(views.selectors, "waiting_list", partial(original, limit=2))
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert html.count('data-testid="waiting-entry"') == 2
    assert "The first 2 of 3 entries are listed" in html
    assert entries[2].patient.record_number not in html  # the latest to join waits its turn
    monkeypatch.setattr(views.selectors, "waiting_list", partial(original, limit=3))
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert html.count('data-testid="waiting-entry"') == 3
    assert 'data-testid="waiting-more"' not in html


# The patient search's one match (browser review: "elliott" found one patient, shown but
# not ticked; Add said "Choose the patient first", the search was gone and no field had
# the cursor) -----------------------------------------------------------------------------


def _picked(client, query: str) -> str:
    return client.get(reverse("diary:patient_picker"), {"q": query}).content.decode()


def _add_form(**fields) -> dict:
    return {
        "appointment_type": kind("review").pk,
        "from_date": timezone.localdate().strftime("%d/%m/%Y"),
        "notes": "Mornings only",
        **CAN_COME,
        **fields,
    }


def test_the_picker_marks_a_sole_match_and_only_a_sole_match(reception_client):
    elliott = PatientFactory(family_name="Elliott", given_names="Ruth")
    PatientFactory(family_name="Pemberton", given_names="Ann")
    PatientFactory(family_name="Pemberton", given_names="Bea")
    one = _picked(reception_client, "elliott")
    assert f'name="sole_match" value="{elliott.public_id}"' in one
    assert 'name="sole_match_q" value="elliott"' in one
    assert "sole_match" not in _picked(reception_client, "pemberton")  # two: pick one
    assert "sole_match" not in _picked(reception_client, "zzzzqx")  # none


def test_the_pickers_matches_are_one_named_radio_group(reception_client):
    """Reception review (07/12/2026, axe: aria-allowed-role): each match was a label given
    role=listitem, which a label may not take; the matches are a choice of one."""
    PatientFactory(family_name="Pemberton", given_names="Ann")
    PatientFactory(family_name="Pemberton", given_names="Bea")
    picked = _picked(reception_client, "pemberton")
    assert 'role="radiogroup" aria-label="Patients found"' in picked
    assert 'role="listitem"' not in picked


def test_the_one_match_shown_is_added_when_left_unticked(reception_client):
    elliott = PatientFactory(family_name="Elliott", given_names="Ruth")
    shown = _picked(reception_client, "elliott")
    assert shown.count('name="patient"') == 1
    response = reception_client.post(
        reverse("diary:waiting_list"),
        _add_form(q="elliott", sole_match=elliott.public_id, sole_match_q="elliott"),
    )
    assert response.status_code == 302
    assert WaitingListEntry.objects.get().patient == elliott


def test_a_match_shown_for_other_text_is_not_taken_and_the_search_is_kept(reception_client):
    """The list answered "elliot"; the box says "elliott x" (typed on before the list came
    back): nobody is picked that the page did not show for that text."""
    elliott = PatientFactory(family_name="Elliott", given_names="Ruth")
    response = reception_client.post(
        reverse("diary:waiting_list"),
        _add_form(q="elliott x", sole_match=elliott.public_id, sole_match_q="elliot"),
    )
    assert response.status_code == 200
    assert not WaitingListEntry.objects.exists()
    html = response.content.decode()
    field = re.search(r'<input[^>]*id="patient-q"[^>]*>', html).group(0)
    assert 'value="elliott x"' in field  # the search kept, and searched again on load
    assert "is-invalid" in field and 'aria-describedby="patient-error"' in field
    assert "load" in re.search(r'hx-trigger="([^"]*)"', field).group(1)
    assert re.search(r'id="patient-error"[^>]*>Choose the patient first', html)
    assert "Mornings only" in html


def test_without_a_search_nobody_is_taken(reception_client):
    elliott = PatientFactory(family_name="Elliott")
    response = reception_client.post(
        reverse("diary:waiting_list"),
        _add_form(q="", sole_match=elliott.public_id, sole_match_q=""),
    )
    assert response.status_code == 200
    assert not WaitingListEntry.objects.exists()


def test_the_booking_form_takes_the_one_match_shown_too(reception_client, doctor):
    elliott = PatientFactory(family_name="Elliott", given_names="Ruth")
    starts = at(3, 10)
    response = reception_client.post(
        reverse("diary:book"),
        {
            "q": "elliott",
            "sole_match": elliott.public_id,
            "sole_match_q": "elliott",
            "appointment_type": kind("review").pk,
            "practitioner": doctor.pk,
            "day": timezone.localdate(starts).strftime("%d/%m/%Y"),
            "start": "10:00",
            "acknowledge_flags": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert elliott.appointments.get().starts_at == starts


def test_an_archived_record_on_the_list_is_offered_no_slot(reception_client, doctor, reception):
    """Booking refuses an archived record (clinic.diary.slot.refusals), so a cancelled slot
    is not offered to one left on the waiting list: reception was told it could take the
    slot and shown "Book this slot", which was then refused (review 07/12/2026)."""
    archived = wait(PatientFactory(family_name="Ashcombe"), reception)
    patient_services.patient_archive(
        patient=archived.patient,
        archived_by=reception,
        reason="Moved abroad",
        expected_version=archived.patient.version,
    )
    living = wait(PatientFactory(), reception)
    appointment = book(PatientFactory(), doctor, reception, at(3, 10))

    cancelled = diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="patient", reason="Away", user=reception
    )

    assert cancelled.waiting_list_offers == [living]
    archived.refresh_from_db()
    assert (archived.status, archived.offered_appointment) == ("waiting", None)
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert html.count('data-testid="book-offered-slot"') == 1


def test_an_archived_record_is_not_put_on_the_list(reception):
    """It could never be offered a slot (review 07/12/2026)."""
    from django.core.exceptions import ValidationError

    patient = PatientFactory(family_name="Ashcombe")
    patient = patient_services.patient_archive(
        patient=patient, archived_by=reception, reason="Moved abroad", expected_version=1
    )
    with pytest.raises(ValidationError, match=r"record is archived \(Moved abroad\): restore it"):
        wait(patient, reception)
    assert not WaitingListEntry.objects.filter(patient=patient).exists()
