"""A patient is in one place at a time (browser review 07/12/2026): a booking or a move
that overlaps another of the patient's appointments, with anyone, is flagged and made
only once the booker says so; and a time already taken is said before any flag is asked
about (a clash used to come only after "book it anyway")."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.models import Appointment
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book, kind, two_at_once, working
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    """A second practitioner, working every day 09:00-17:00."""
    return working(UserFactory(role=Role.PRACTITIONER, first_name="Priya", last_name="Shah"))


def test_a_patient_booked_with_another_practitioner_at_that_time_is_flagged(
    patient, doctor, colleague, reception
):
    first = book(patient, doctor, reception, at(2, 10, 45))  # a review
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        book(patient, colleague, reception, at(2, 10, 45))
    (check,) = flagged.value.checks
    assert check.code == "patient.overlap" and check.level == "flag"
    ends = timezone.localtime(first.ends_at)
    when = f"{at(2, 10, 45):%d/%m/%Y} 10:45\u2013{ends:%H:%M}"
    assert f"is already booked {when} with {doctor.get_full_name()} (Review)" in check.message
    made = book(patient, colleague, reception, at(2, 10, 45), acknowledge_flags=True)
    assert [f["code"] for f in made.booking_flags] == ["patient.overlap"]
    assert Appointment.objects.filter(patient=patient).count() == 2 and first.pk != made.pk


@pytest.mark.parametrize("offset_minutes", [-20, 20])  # ends as the other starts; after it
def test_back_to_back_cancelled_and_other_patients_appointments_are_not_flagged(
    patient, doctor, colleague, reception, offset_minutes
):
    book(patient, doctor, reception, at(2, 11))  # 11:00-11:20
    cancelled = book(patient, doctor, reception, at(3, 11))
    services.appointment_cancel(
        appointment=cancelled, cancelled_by="patient", reason="Away", user=reception
    )
    book(PatientFactory(), colleague, reception, at(4, 11))
    hour, minute = divmod(11 * 60 + offset_minutes, 60)
    assert book(patient, colleague, reception, at(2, hour, minute)).booking_flags == []
    assert book(patient, colleague, reception, at(3, 11)).booking_flags == []
    assert book(patient, doctor, reception, at(4, 11)).booking_flags == []


def test_a_move_onto_the_patients_other_appointment_is_flagged_not_onto_itself(
    patient, doctor, colleague, reception
):
    other = book(patient, colleague, reception, at(2, 14))
    moving = book(patient, doctor, reception, at(2, 10))
    later = services.appointment_move(
        appointment=moving, starts_at=at(2, 10, 15), moved_by=reception
    )
    assert later.booking_flags == []  # overlapping its own old time is no clash
    with pytest.raises(services.BookingNeedsAcknowledgement) as flagged:
        services.appointment_move(appointment=later, starts_at=at(2, 14, 10), moved_by=reception)
    assert [c.code for c in flagged.value.checks] == ["patient.overlap"]
    assert other.practitioner.get_full_name() in flagged.value.checks[0].message


def test_the_booking_page_says_the_overlap_and_books_once_acknowledged(
    patient, doctor, colleague, reception
):
    book(patient, doctor, reception, at(2, 10, 45))
    client = client_for(reception)
    data = {
        "patient": patient.public_id,
        "appointment_type": Appointment.objects.get().appointment_type_id,
        "practitioner": colleague.pk,
        "day": f"{at(2, 11):%d/%m/%Y}",
        "start": "10:45",
    }
    page = client.post(reverse("diary:book"), data).content.decode()
    assert "is already booked" in page and doctor.get_full_name() in page
    assert Appointment.objects.count() == 1
    done = client.post(reverse("diary:book"), data | {"acknowledge_flags": "on"})
    assert done.status_code == 302 and Appointment.objects.count() == 2


def test_a_taken_time_is_said_before_the_flags(patient, doctor, reception):
    """08:00 is before the practitioner's hours (a flag) and already taken by another
    patient booked anyway: the clash comes first, with free times, not the flag."""
    book(PatientFactory(), doctor, reception, at(2, 8), acknowledge_flags=True)
    with pytest.raises(services.DoubleBooking) as taken:
        book(patient, doctor, reception, at(2, 8))
    assert taken.value.clash is not None and taken.value.free
    moving = book(patient, doctor, reception, at(3, 9))
    with pytest.raises(services.DoubleBooking):
        services.appointment_move(appointment=moving, starts_at=at(2, 8), moved_by=reception)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_desks_booking_one_patient_with_two_practitioners_at_once():
    """Under the patient's lock: of two simultaneous bookings of the same patient at the
    same time, one is made and the other is flagged, in every round."""
    doctors = [working(UserFactory(username=f"dr-{n}", role=Role.PRACTITIONER)) for n in ("a", "b")]
    desks = [UserFactory(username=f"desk-{n}", role=Role.RECEPTION) for n in (1, 2)]
    patient = PatientFactory()
    kind("review")  # seeded before the threads (see test_diary's race)
    for round_ in range(10):
        starts_at = at(2 + round_ // 8, 9 + round_ % 8)
        results = two_at_once(
            lambda index, starts_at=starts_at: book(
                patient, doctors[index], desks[index], starts_at
            )
        )
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["Appointment", "BookingNeedsAcknowledgement"], (round_, results)
    assert Appointment.objects.count() == 10


def test_the_box_acknowledges_the_checks_shown_not_one_that_came_up_since(
    patient, doctor, colleague, reception
):
    """The reviews (07/12/2026): the box said yes to every check, so an overlap booked by
    another desk after the page was shown went through unseen; and, matched by code alone,
    a second overlap with another appointment would have too. It acknowledges the checks
    the page showed (BookingCheck.key: code and wording); any other is asked about, the box
    shown unticked."""
    evening = at(2, 18)  # after the colleague's hours: "hours.outside", shown and ticked
    with pytest.raises(services.BookingNeedsAcknowledgement) as shown:
        book(patient, colleague, reception, evening)
    assert [c.code for c in shown.value.checks] == ["hours.outside"]
    seen = {c.key for c in shown.value.checks}
    book(patient, doctor, reception, evening, acknowledge_flags=True)  # meanwhile, elsewhere
    with pytest.raises(services.BookingNeedsAcknowledgement) as again:
        book(patient, colleague, reception, evening, acknowledge_flags=seen)
    assert {c.code for c in again.value.checks} == {"hours.outside", "patient.overlap"}
    seen = {c.key for c in again.value.checks}
    # Another overlap (the same code, another appointment) since the second page.
    Appointment.objects.filter(patient=patient).update(starts_at=at(2, 17, 45))
    with pytest.raises(services.BookingNeedsAcknowledgement):
        book(patient, colleague, reception, evening, acknowledge_flags=seen)
    Appointment.objects.filter(patient=patient).update(starts_at=evening)
    made = book(patient, colleague, reception, evening, acknowledge_flags=seen)
    assert {f["code"] for f in made.booking_flags} == {"hours.outside", "patient.overlap"}

    page_data = {
        "patient": patient.public_id,
        "appointment_type": made.appointment_type_id,
        "practitioner": colleague.pk,
        "day": f"{at(3, 18):%d/%m/%Y}",
        "start": "18:00",
        "acknowledge_flags": "on",
        "acknowledged_codes": ",".join(seen - {c.key for c in again.value.checks[1:]}),
    }
    book(patient, doctor, reception, at(3, 18), acknowledge_flags=True)
    response = client_for(reception).post(reverse("diary:book"), page_data)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="flags-changed"' in html
    sent_back = html.split('name="acknowledged_codes" value="', 1)[1].split('"', 1)[0]
    assert sorted(key.split(":")[0] for key in sent_back.split(",")) == [
        "hours.outside",
        "patient.overlap",
    ]
    box = html.split('name="acknowledge_flags"', 1)[1].split(">", 1)[0]
    assert "checked" not in box
    assert Appointment.objects.filter(starts_at=at(3, 18)).count() == 1


def test_book_pressed_again_without_the_box_says_so_at_the_box(patient, colleague, reception):
    """Browser check (07/12/2026): pressing Book again under the checks with the box left
    empty brought the same page back, read as a button that did nothing."""
    client = client_for(reception)
    data = {
        "patient": patient.public_id,
        "appointment_type": kind("review").pk,
        "practitioner": colleague.pk,
        "day": f"{at(2, 18):%d/%m/%Y}",
        "start": "18:00",  # after the colleague's hours: a check to acknowledge
    }
    first = client.post(reverse("diary:book"), data).content.decode()
    assert 'data-testid="booking-flags"' in first and 'data-testid="flags-unticked"' not in first
    again = client.post(reverse("diary:book"), data | {"acknowledged_codes": "hours.outside"})
    html = again.content.decode()
    assert 'data-testid="flags-unticked"' in html and "tick this box to book it anyway" in html
    assert not Appointment.objects.exists()
