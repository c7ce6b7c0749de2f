"""Moving or cancelling an appointment that someone else has just changed or cancelled, or
sending the same form twice: a clear message saying what happened, never a 500, and
nothing the user typed lost (the form comes back with it, or the message repeats it)."""

import html
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.models import Appointment
from clinic.inputs import STALE_PAGE_MESSAGE
from clinic.roles import Role
from tests.clinic.diary_helpers import at, book
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

# The refused move's page: + 1 the appointment (with patient, type, room, practitioner)
# + 1 the practitioners who work (the form) + 4 the service's locked read (savepoint,
# SELECT, rollback to and release of the savepoint) + 1 the appointment as it is now
# + 1 its last change (with its user) + 1 who booked it + 1 the practitioner choices
# rendered + access event. Whatever the appointment's history (1 or 5 changes).
MOVE_CONFLICT_QUERIES = BASE + 10 + ACCESS_LOG


@pytest.fixture
def colleague(db):
    """The other receptionist, who changes the appointment first."""
    return UserFactory(role=Role.RECEPTION, first_name="Colin", last_name="Hale")


def move_data(appointment, *, day_offset=2, start="11:00", **extra) -> dict:
    day = timezone.localdate() + timedelta(days=day_offset)
    return {"day": day.strftime("%d/%m/%Y"), "start": start, "version": appointment.version} | extra


def cancel_data(appointment, **extra) -> dict:
    return {
        "cancelled_by": "patient",
        "reason": "Flu, will ring to rebook",
        "version": appointment.version,
    } | extra


def post(user, name, appointment, data):
    return client_for(user).post(reverse(name, args=[appointment.public_id]), data)


def said(response) -> str:
    """The messages the response carries (shown on this page or the next)."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def field_value(page: str, name: str) -> str:
    """The value attribute of the input called `name` on the page."""
    start = page.index(f'name="{name}"')
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    marker = 'value="'
    return html.unescape(tag[tag.index(marker) + len(marker) :].split('"', 1)[0])


# Replays -------------------------------------------------------------------------------


def test_a_replayed_move_says_it_is_done(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 10))
    data = move_data(appointment)
    first = post(reception, "diary:appointment_move", appointment, data)
    assert first.status_code == 302

    again = post(reception, "diary:appointment_move", appointment, data)

    assert again.status_code == 302
    text = said(again)
    assert "Already moved to" in text and "meanwhile" not in text
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == at(2, 11)
    assert appointment.version == 2  # moved once


def test_a_replayed_cancellation_says_it_is_cancelled(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(3, 10))
    data = cancel_data(appointment)
    assert post(reception, "diary:appointment_cancel", appointment, data).status_code == 302

    again = post(reception, "diary:appointment_cancel", appointment, data)

    assert again.status_code == 302
    text = said(again)
    assert "Already cancelled" in text and "meanwhile" not in text
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.version == 2


# Someone else was first ------------------------------------------------------------------


def test_a_move_after_someone_else_moved_it_keeps_the_time_typed(
    patient, doctor, reception, colleague
):
    appointment = book(patient, doctor, reception, at(1, 10))
    stale = move_data(appointment, start="15:00")
    services.appointment_move(
        appointment=appointment, starts_at=at(1, 14), moved_by=colleague, expected_version=1
    )

    response = post(reception, "diary:appointment_move", appointment, stale)

    assert response.status_code == 200
    page = response.content.decode()
    text = said(response)
    assert "Colin Hale moved or changed this appointment meanwhile" in text
    assert f"{at(1, 14):%d/%m/%Y} at 14:00" in text
    # The form still holds what was typed, at the new version: Move again moves it there.
    assert field_value(page, "day") == stale["day"]
    assert 'value="15:00" selected' in page
    assert field_value(page, "version") == "2"
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == at(1, 14)

    again = post(reception, "diary:appointment_move", appointment, {**stale, "version": "2"})
    assert again.status_code == 302
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at) == at(2, 15)


def test_a_move_after_someone_else_cancelled_it_says_so(patient, doctor, reception, colleague):
    appointment = book(patient, doctor, reception, at(1, 10))
    stale = move_data(appointment, start="15:00")
    services.appointment_cancel(
        appointment=appointment, cancelled_by="clinic", reason="Doctor ill", user=colleague
    )

    response = post(reception, "diary:appointment_move", appointment, stale)

    assert response.status_code == 200
    text = said(response)
    assert "Colin Hale cancelled this appointment meanwhile" in text
    assert "Doctor ill" in text
    # What was asked for is in the message: the form is gone with the open appointment.
    assert f"not moved to {at(2, 15):%d/%m/%Y} at 15:00" in text
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Doctor ill"


def test_a_cancellation_after_someone_else_moved_it_keeps_the_reason(
    patient, doctor, reception, colleague
):
    appointment = book(patient, doctor, reception, at(1, 10))
    stale = cancel_data(appointment)
    services.appointment_move(appointment=appointment, starts_at=at(1, 14), moved_by=colleague)

    response = post(reception, "diary:appointment_cancel", appointment, stale)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Colin Hale moved or changed this appointment meanwhile" in said(response)
    assert field_value(page, "reason") == "Flu, will ring to rebook"
    assert (
        'value="patient"' in page
        and "checked" in page.split('value="patient"', 1)[1].split(">", 1)[0]
    )
    assert field_value(page, "version") == "2"
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_cancellation_after_someone_else_cancelled_it_says_so(
    patient, doctor, reception, colleague
):
    appointment = book(patient, doctor, reception, at(3, 10))
    stale = cancel_data(appointment)
    services.appointment_cancel(
        appointment=appointment, cancelled_by="clinic", reason="Doctor ill", user=colleague
    )

    response = post(reception, "diary:appointment_cancel", appointment, stale)

    assert response.status_code == 200
    text = said(response)
    assert "Colin Hale cancelled this appointment meanwhile" in text and "Doctor ill" in text
    assert "Flu, will ring to rebook" in text  # the reason typed, not saved, is shown
    appointment.refresh_from_db()
    assert appointment.cancel_reason == "Doctor ill"


# Refusals keep the form ------------------------------------------------------------------


def test_a_refused_move_keeps_the_time_typed(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 10))
    book(PatientFactory(), doctor, reception, at(2, 11))
    data = move_data(appointment)

    response = post(reception, "diary:appointment_move", appointment, data)

    assert response.status_code == 200
    assert "already booked" in said(response)
    page = response.content.decode()
    assert field_value(page, "day") == data["day"] and 'value="11:00" selected' in page
    assert '<details class="card shadow-sm mb-3" open' in page


def test_a_cancellation_without_a_reason_keeps_who_asked(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 10))

    response = post(
        reception, "diary:appointment_cancel", appointment, cancel_data(appointment, reason="")
    )

    assert response.status_code == 200
    assert "Say who cancelled and why." in said(response)
    page = response.content.decode()
    assert "checked" in page.split('value="patient"', 1)[1].split(">", 1)[0]
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_tampered_version_is_a_message_not_a_500(patient, doctor, reception, version):
    appointment = book(patient, doctor, reception, at(1, 10))
    for name, data in (
        ("diary:appointment_move", move_data(appointment, version=version)),
        ("diary:appointment_cancel", cancel_data(appointment, version=version)),
    ):
        response = post(reception, name, appointment, data)
        assert response.status_code in (200, 302), name
        assert said(response), name
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


def test_a_move_or_cancellation_without_the_version_is_refused_with_the_entries_kept(
    patient, doctor, reception
):
    """Every page sends the version it showed: a form without it is out of date (it was
    told 'Choose the new date and time.' or 'Say who cancelled and why.')."""
    appointment = book(patient, doctor, reception, at(1, 10))
    move = move_data(appointment)
    del move["version"]
    moved = post(reception, "diary:appointment_move", appointment, move)
    cancel = cancel_data(appointment)
    del cancel["version"]
    cancelled = post(reception, "diary:appointment_cancel", appointment, cancel)
    for response in (moved, cancelled):
        assert response.status_code == 200
        assert said(response) == STALE_PAGE_MESSAGE
    assert field_value(moved.content.decode(), "day") == move["day"]
    assert "Flu, will ring to rebook" in cancelled.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).starts_at == appointment.starts_at
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


def test_the_refused_move_page_has_a_pinned_query_count(
    patient, doctor, reception, colleague, django_assert_num_queries
):
    """Pinned (MOVE_CONFLICT_QUERIES), with five changes in the history."""
    appointment = book(patient, doctor, reception, at(1, 10))
    stale = move_data(appointment, start="15:00")
    for hour in (11, 12, 13, 14):
        services.appointment_move(
            appointment=appointment, starts_at=at(1, hour), moved_by=colleague
        )
    client = client_for(reception)
    client.get(reverse("diary:appointment", args=[appointment.public_id]))  # session snapshot
    url = reverse("diary:appointment_move", args=[appointment.public_id])
    with django_assert_num_queries(MOVE_CONFLICT_QUERIES):
        assert client.post(url, stale).status_code == 200
