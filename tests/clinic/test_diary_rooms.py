"""Rooms (browser review 07/12/2026: a booking made at the desk said no room, each seeded one
its room; a shared room refused times the free list offered): a booking left to the
practitioner's hours takes their room then, and is held in it; the free times keep clear of
a room a colleague is booked in; a move takes the room of the new time and practitioner,
unless the booker chose the room."""

from datetime import time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.diary import availability, services
from clinic.diary.models import Appointment, Room, WorkingException, WorkingPattern
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book, kind
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def in_room(user, room, *, starts=time(9), ends=time(17)):
    """Works every day in `room`."""
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=user, weekday=weekday, starts=starts, ends=ends, room=room
        )
    return user


@pytest.fixture
def rooms():
    return {
        "one": Room.objects.get(name="Treatment room 1"),
        "two": Room.objects.get(name="Treatment room 2"),
        "consulting": Room.objects.get(name="Consulting room"),
    }


@pytest.fixture
def amelia(practitioner, rooms):
    return in_room(practitioner, rooms["one"])


@pytest.fixture
def priya(rooms):
    return in_room(UserFactory(username="priya", role=Role.PRACTITIONER), rooms["two"])


def local_times(slots):
    return [timezone.localtime(s.starts_at).time() for s in slots]


def test_a_booking_left_to_their_hours_is_in_their_room(patient, amelia, reception, rooms):
    appointment = book(patient, amelia, reception, at(1, 10))
    assert appointment.room == rooms["one"]


def test_a_room_the_booker_chose_is_kept(patient, amelia, reception, rooms):
    appointment = book(patient, amelia, reception, at(1, 10), room=rooms["consulting"])
    assert appointment.room == rooms["consulting"]


def test_hours_without_a_room_leave_the_booking_without_one(patient, doctor, reception):
    assert book(patient, doctor, reception, at(1, 10)).room_id is None


def test_an_extra_clinic_in_another_room_gives_that_room(patient, amelia, reception, rooms):
    day = timezone.localdate() + timedelta(days=1)
    WorkingException.objects.create(
        practitioner=amelia, on=day, kind="extra", starts=time(18), ends=time(20), room=rooms["two"]
    )
    assert book(patient, amelia, reception, at(1, 18)).room == rooms["two"]
    assert book(PatientFactory(), amelia, reception, at(1, 11)).room == rooms["one"]


def test_a_colleague_booked_in_the_shared_room_holds_it(patient, amelia, reception, rooms):
    """Both work in room 1: a time the colleague has the room in is neither offered nor
    booked; the free times offered instead are clear of both."""
    shared = in_room(UserFactory(username="shared", role=Role.PRACTITIONER), rooms["one"])
    book(PatientFactory(), shared, reception, at(1, 10), "migraine-treatment")  # 10:00-10:30

    offered = availability.free_slots(
        minutes=30, after=at(1, 9, 45), practitioner_id=amelia.pk, limit=2
    )
    assert local_times(offered) == [time(10, 30), time(10, 45)]
    assert {s.room_id for s in offered} == {rooms["one"].pk}

    with pytest.raises(services.DoubleBooking) as refused:
        book(patient, amelia, reception, at(1, 10, 15), "migraine-treatment")
    assert local_times(refused.value.free[:1]) == [time(10, 30)]
    # Offered, then booked: the first free time holds.
    first = refused.value.free[0]
    assert book(patient, amelia, reception, first.starts_at, "migraine-treatment").room_id == (
        rooms["one"].pk
    )


def test_free_times_in_a_chosen_room_keep_clear_of_it(patient, amelia, priya, reception, rooms):
    """Amelia, asked for in room 2 (Priya's, booked 10:00-10:30): the times offered are
    clear of room 2, not only of Amelia's own room."""
    book(PatientFactory(), priya, reception, at(1, 10), "migraine-treatment")
    with pytest.raises(services.DoubleBooking) as refused:
        book(patient, amelia, reception, at(1, 10), "migraine-treatment", room=rooms["two"])
    assert local_times(refused.value.free[:1]) == [time(10, 30)]
    assert refused.value.free[0].practitioner_id == amelia.pk


def test_a_move_to_a_colleague_follows_their_room(patient, amelia, priya, reception, rooms):
    appointment = book(patient, amelia, reception, at(1, 10))
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception, practitioner=priya
    )
    assert moved.room == rooms["two"]
    assert Appointment.objects.get(pk=appointment.pk).room == rooms["two"]


def test_a_move_into_an_extra_clinic_follows_its_room(patient, amelia, reception, rooms):
    WorkingException.objects.create(
        practitioner=amelia,
        on=timezone.localdate() + timedelta(days=2),
        kind="extra",
        starts=time(18),
        ends=time(20),
        room=rooms["consulting"],
    )
    appointment = book(patient, amelia, reception, at(1, 10))
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 18), moved_by=reception
    )
    assert moved.room == rooms["consulting"]


def test_a_move_keeps_a_room_the_booker_chose(patient, amelia, priya, reception, rooms):
    appointment = book(patient, amelia, reception, at(1, 10), room=rooms["consulting"])
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception, practitioner=priya
    )
    assert moved.room == rooms["consulting"]


def test_a_room_from_hours_changed_since_booking_follows_the_new_hours(
    patient, amelia, priya, reception, rooms
):
    """Review 07/12/2026: Amelia's hours moved to the consulting room after the booking;
    her old room (from her hours, not chosen) looked chosen and stuck on a move."""
    appointment = book(patient, amelia, reception, at(1, 10))
    assert (appointment.room, appointment.room_chosen) == (rooms["one"], False)
    WorkingPattern.objects.filter(practitioner=amelia).update(room=rooms["consulting"])

    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception, practitioner=priya
    )
    assert (moved.room, moved.room_chosen) == (rooms["two"], False)
    moved = services.appointment_move(
        appointment=moved, starts_at=at(3, 11), moved_by=reception, practitioner=amelia
    )
    assert Appointment.objects.get(pk=appointment.pk).room == rooms["consulting"]


def test_a_room_from_hours_with_leave_since_follows_the_new_day(patient, amelia, reception, rooms):
    """Leave over the booked time since: no hours there now, yet the room is still the hours'."""
    appointment = book(patient, amelia, reception, at(1, 10))
    WorkingException.objects.create(
        practitioner=amelia, on=timezone.localdate() + timedelta(days=1), kind="leave"
    )
    WorkingPattern.objects.filter(practitioner=amelia).update(room=rooms["two"])
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception
    )
    assert moved.room == rooms["two"]


def test_a_chosen_room_is_kept_even_when_it_is_their_hours_room(
    patient, amelia, priya, reception, rooms
):
    """Chosen at the desk, and the same as Amelia's hours: still the booker's choice."""
    appointment = book(patient, amelia, reception, at(1, 10), room=rooms["one"])
    assert appointment.room_chosen
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception, practitioner=priya
    )
    assert (moved.room, moved.room_chosen) == (rooms["one"], True)


def test_a_room_named_for_a_move_is_kept_on_the_next(patient, amelia, priya, reception, rooms):
    appointment = book(patient, amelia, reception, at(1, 10))
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(2, 11), moved_by=reception, room=rooms["consulting"]
    )
    assert (moved.room, moved.room_chosen) == (rooms["consulting"], True)
    moved = services.appointment_move(
        appointment=moved, starts_at=at(3, 11), moved_by=reception, practitioner=priya
    )
    assert Appointment.objects.get(pk=appointment.pk).room == rooms["consulting"]


def test_the_booking_page_leaves_the_room_to_their_hours_and_says_it(patient, amelia, rooms):
    client = client_for(UserFactory(username="desk-rooms", role=Role.RECEPTION))
    page = client.get(reverse("diary:book")).content.decode()
    assert ">Their room that day</option>" in page
    assert "Empty: the room of their working hours at that time." in page

    day = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("diary:book"),
        {
            "patient": patient.public_id,
            "practitioner": amelia.pk,
            "appointment_type": kind("review").pk,
            "day": day.strftime("%d/%m/%Y"),
            "start": "10:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (said,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert said.endswith(f"{day:%d/%m/%Y} at 10:00, Treatment room 1.")
    assert Appointment.objects.get().room == rooms["one"]


def test_the_access_log_tells_the_booking_from_the_form_opened(patient, amelia):
    """Browser review 07/12/2026: one booking read as three or four "booked, or opened the
    booking form" lines."""
    from clinic.models import AccessEvent

    client = client_for(UserFactory(username="desk-log", role=Role.RECEPTION))
    client.get(reverse("diary:book"), {"patient": patient.public_id})
    day = timezone.localdate() + timedelta(days=1)
    data = {
        "patient": patient.public_id,
        "practitioner": amelia.pk,
        "appointment_type": kind("review").pk,
        "day": day.strftime("%d/%m/%Y"),
        "start": "10:00",
    }
    data["submission_token"] = "5f0c2a4e-8d1f-4c57-9a3e-2f1d5b7c9e01"
    assert client.post(reverse("diary:book"), data).status_code == 302
    actions = list(
        AccessEvent.objects.filter(patient=patient).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["diary.book", "diary.booked"]
    # A second press of the same form books nothing, and is not logged as a booking.
    assert client.post(reverse("diary:book"), data).status_code == 302
    assert Appointment.objects.filter(patient=patient).count() == 1
    assert AccessEvent.objects.filter(patient=patient, action="diary.booked").count() == 1
