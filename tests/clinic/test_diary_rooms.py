"""Rooms (browser review 07/12/2026: a booking made at the desk said no room, each seeded one
its room; a shared room refused times the free list offered): a booking left to the
practitioner's hours takes their room then, and is held in it; the free times and the day
view's free cells keep clear of a room a colleague is booked in; a move takes the room of the
new time and practitioner, unless the booker chose the room; a booking or a move reads the
practitioner's hours once, for the room and the hours flag."""

from datetime import time, timedelta
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.diary import availability, grid, selectors, services
from clinic.diary.models import Appointment, Room, WorkingException, WorkingPattern
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book, kind, working
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
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


# The day view reads rooms (review: a cell looked free in a room a colleague held) ---------


def day_cells(who, offset=1) -> dict:
    """`who`'s drawn cells on the day view `offset` days from today, by start."""
    view = selectors.day_view(day=timezone.localdate() + timedelta(days=offset))
    rows = grid.day_grid(view, can_book=True)
    return {c.starts_at: c for row in rows for c in row.drawn if c.practitioner_id == who.pk}


def test_the_day_view_offers_no_cell_in_a_room_a_colleague_holds(patient, amelia, reception, rooms):
    """Amelia and a colleague share room 1; the colleague is booked in it 10:00-10:30:
    Amelia's 10:00 and 10:15 are not offered (the booking would be refused, as before),
    her 09:45 and 10:30 are, and the page says why."""
    shared = in_room(UserFactory(username="shared", role=Role.PRACTITIONER), rooms["one"])
    book(PatientFactory(), shared, reception, at(1, 10), "migraine-treatment")  # 10:00-10:30

    cells = day_cells(amelia)
    for start in (at(1, 10), at(1, 10, 15)):
        assert (cells[start].kind, cells[start].book_url) == ("room", ""), start
        assert cells[start].room == "Treatment room 1"
    for start in (at(1, 9, 45), at(1, 10, 30)):
        assert cells[start].kind == "free" and cells[start].book_url, start
    with pytest.raises(services.DoubleBooking):
        book(patient, amelia, reception, at(1, 10))

    day = timezone.localdate() + timedelta(days=1)
    page = client_for(reception).get(reverse("diary:day"), {"day": day.isoformat()})
    page = page.content.decode()

    def link(moment) -> str:  # the cell's "+ Book" (its & escaped in the page)
        return f"?practitioner={amelia.pk}&amp;start={quote(moment.isoformat(), safe='')}"

    assert link(at(1, 10)) not in page and link(at(1, 10, 15)) not in page
    assert link(at(1, 9, 45)) in page and link(at(1, 10, 30)) in page
    assert (
        '<td rowspan="3" class="room-taken"><span class="diary-room-taken">'
        f'<span class="visually-hidden">10:00 with {amelia.get_full_name()}: </span>'
        "Treatment room 1 in use</span></td>"
    ) in page


def test_a_cell_in_a_room_nobody_else_uses_is_still_offered(amelia, priya, reception, rooms):
    """Amelia booked 10:00 in room 1: Priya (room 2) and a practitioner whose hours name no
    room are still offered 10:00, and booking it is accepted."""
    roomless = working(UserFactory(username="roomless", role=Role.PRACTITIONER))
    book(PatientFactory(), amelia, reception, at(1, 10), "migraine-treatment")
    for who in (priya, roomless):
        cell = day_cells(who)[at(1, 10)]
        assert cell.kind == "free" and cell.book_url, who
        assert book(PatientFactory(), who, reception, at(1, 10)).starts_at == at(1, 10)


def test_a_colleague_s_missed_appointment_leaves_the_cell_free(amelia, reception, rooms):
    """What frees the room for the booking frees the cell: a colleague's appointment they
    did not attend holds nothing (AppointmentStatus.occupying, as the booking reads it)."""
    shared = in_room(UserFactory(username="shared", role=Role.PRACTITIONER), rooms["one"])
    held = book(PatientFactory(), shared, reception, at(1, 10))
    Appointment.objects.filter(pk=held.pk).update(status="dna")
    assert day_cells(amelia)[at(1, 10)].kind == "free"


def test_the_day_view_reads_rooms_with_a_pinned_query_count(amelia, reception, rooms):
    """Two sharing room 1, one in room 2, with 1 then 20 bookings each: the day view's
    pinned count (tests/clinic/test_diary_pages.py), no query per cell or practitioner."""
    shared = in_room(UserFactory(username="shared", role=Role.PRACTITIONER), rooms["one"])
    other = in_room(UserFactory(username="other", role=Role.PRACTITIONER), rooms["two"])
    client = client_for(reception)
    day = timezone.localdate() + timedelta(days=1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("diary:day"), {"day": day.isoformat()}).status_code == 200
        return len(ctx.captured_queries)

    book(PatientFactory(), amelia, reception, at(1, 9), "phone-review")
    book(PatientFactory(), other, reception, at(1, 9), "phone-review")
    assert queries() == BASE + 4 + ACCESS_LOG
    for n in range(1, 20):
        who = shared if n % 2 else amelia
        book(PatientFactory(), who, reception, at(1, 9) + timedelta(minutes=15 * n), "phone-review")
        book(
            PatientFactory(), other, reception, at(1, 9) + timedelta(minutes=15 * n), "phone-review"
        )
    assert queries() == BASE + 4 + ACCESS_LOG


# Booking reads the practitioner's hours once (review: room_at and hours_check each read them)


def hours_reads(ctx) -> int:
    """The reads of the weekly patterns and of the exceptions among the captured queries."""
    return sum(
        ("diary_workingpattern" in q["sql"]) + ("diary_workingexception" in q["sql"])
        for q in ctx.captured_queries
    )


@pytest.mark.parametrize("chosen", [False, True], ids=["room-from-hours", "room-chosen"])
def test_a_booking_reads_the_hours_once(patient, amelia, reception, rooms, chosen):
    """The room it takes and the hours flag share one read of the hours: two queries (the
    weekly patterns, the exceptions), where a room left to their hours took four."""
    kind("review")  # the seeded type read before counting
    room = rooms["consulting"] if chosen else None
    with CaptureQueriesContext(connection) as ctx:
        appointment = book(
            patient,
            amelia,
            reception,
            at(1, 16, 45),
            room=room,
            minutes=30,
            acknowledge_flags=True,
        )
    assert hours_reads(ctx) == 2
    # The one read still says both: the room of the hours, and 16:45-17:15 past them.
    assert appointment.room == (room or rooms["one"])
    assert [f["code"] for f in appointment.booking_flags] == ["hours.outside"]


def test_a_move_reads_the_hours_once(patient, amelia, priya, reception, rooms):
    """To Priya at 16:45: her room and the hours flag, from one read of her hours."""
    appointment = book(patient, amelia, reception, at(1, 10), minutes=30)
    with CaptureQueriesContext(connection) as ctx:
        moved = services.appointment_move(
            appointment=appointment,
            starts_at=at(2, 16, 45),
            moved_by=reception,
            practitioner=priya,
            acknowledge_flags=True,
        )
    assert hours_reads(ctx) == 2
    assert moved.room == rooms["two"]
    assert [f["code"] for f in moved.booking_flags] == ["hours.outside"]
