"""The diary's settings in the admin (rooms, appointment types, working hours and
exceptions): two managers never silently overwrite each other's change, as with the
reference data (clinic.admin_mixins.ChangedSinceOpenedForm; found by review, 04/12/2026:
a stale form put back an appointment type's length)."""

import pytest

from clinic.diary.models import AppointmentType, Room
from clinic.inputs import STALE_PAGE_MESSAGE
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.treatments.test_reference_admin import _as_submitted

pytestmark = pytest.mark.django_db


def test_a_stale_appointment_type_form_is_refused_and_keeps_what_was_typed(manager_client):
    kind = AppointmentType.objects.get(slug="review")
    url = f"/admin/diary/appointmenttype/{kind.pk}/change/"
    other = client_for(UserFactory(username="m2", role="Manager", is_staff=True))
    mine, theirs = _as_submitted(manager_client.get(url)), _as_submitted(other.get(url))
    minutes = kind.default_minutes + 15
    assert manager_client.post(url, mine | {"default_minutes": minutes}).status_code == 302
    stale = other.post(url, theirs | {"name": "Review (B)"})
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    assert "Review (B)" in stale.content.decode()
    kind.refresh_from_db()
    assert (kind.default_minutes, kind.name) == (minutes, "Review")
    fresh = _as_submitted(other.get(url))
    assert other.post(url, fresh | {"name": "Review (B)"}).status_code == 302
    kind.refresh_from_db()
    assert (kind.default_minutes, kind.name) == (minutes, "Review (B)")


def test_a_change_form_without_when_it_was_opened_is_refused_and_keeps_what_was_typed(
    manager_client,
):
    """It was refused as 'Someone else changed this record at ...', which nobody had."""
    kind = AppointmentType.objects.get(slug="review")
    url = f"/admin/diary/appointmenttype/{kind.pk}/change/"
    data = _as_submitted(manager_client.get(url)) | {"name": "Review (B)"}
    del data["opened_at"]
    response = manager_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "Someone else changed" not in page
    assert "Review (B)" in page
    kind.refresh_from_db()
    assert kind.name == "Review"


def test_a_room_can_still_be_added_and_changed(manager_client):
    assert manager_client.post("/admin/diary/room/add/", {"name": "Room 9", "is_active": "on"})
    room = Room.objects.get(name="Room 9")
    url = f"/admin/diary/room/{room.pk}/change/"
    data = _as_submitted(manager_client.get(url)) | {"name": "Room 9 (upstairs)"}
    assert manager_client.post(url, data).status_code == 302
    room.refresh_from_db()
    assert room.name == "Room 9 (upstairs)"


def test_leave_recorded_over_booked_appointments_says_how_many_and_where(
    manager_client, practitioner, reception
):
    """Reception review (07/12/2026): 13 bookings sat on a day the week view called "Not
    working", and nothing had said so to whoever recorded the leave."""
    from clinic.diary import services
    from clinic.diary.models import WorkingException
    from tests.clinic.diary_helpers import at, book, working
    from tests.factories import PatientFactory

    working(practitioner)
    for hour in (10, 11):
        book(PatientFactory(), practitioner, reception, at(2, hour))
    services.appointment_cancel(
        appointment=book(PatientFactory(), practitioner, reception, at(2, 12)),
        cancelled_by="patient",
        reason="Away",
        user=reception,
    )
    book(PatientFactory(), practitioner, reception, at(3, 10))  # the day after: not held
    done = book(PatientFactory(), practitioner, reception, at(2, 14))
    type(done).objects.filter(pk=done.pk).update(status="completed")  # done: nothing to move

    day = at(2, 0).date()
    response = manager_client.post(
        "/admin/diary/workingexception/add/",
        {"practitioner": practitioner.pk, "on": day.strftime("%d/%m/%Y"), "kind": "leave"},
        follow=True,
    )
    assert WorkingException.objects.filter(practitioner=practitioner, on=day).exists()
    said = [str(m) for m in response.context["messages"]]
    assert any(
        f"still has 2 appointments booked during this leave on {day:%d/%m/%Y}: move or cancel them"
        in m
        and f"/diary/week/{practitioner.pk}/?day={day.isoformat()}" in m
        for m in said
    ), said

    # Leave for the afternoon only: the morning's bookings are not during it.
    afternoon = manager_client.post(
        "/admin/diary/workingexception/add/",
        {
            "practitioner": practitioner.pk,
            "on": day.strftime("%d/%m/%Y"),
            "kind": "leave",
            "starts": "13:00",
            "ends": "17:00",
        },
        follow=True,
    )
    assert not [m for m in afternoon.context["messages"] if "during this leave" in str(m)]


@pytest.mark.django_db
def test_admin_pages_carry_the_clinic_icon(manager_client):
    """Manager review, 07/12/2026: the admin's pages named no icon, so the browser asked
    for /favicon.ico and logged a 404 in the console of every admin page."""
    for url in ("/admin/", "/admin/diary/workingpattern/", "/admin/diary/workingexception/"):
        html = manager_client.get(url).content.decode()
        assert 'rel="icon" href="/static/clinic/favicon.svg"' in html, url


def test_working_hours_and_leave_name_the_practitioner_not_the_username(manager_client):
    """Manager review (07/12/2026): Priya Shah's leave was listed, filtered and chosen as
    "nurse"."""
    from clinic.diary.models import WorkingException
    from tests.clinic.diary_helpers import at, working

    priya = working(UserFactory(username="nurse", first_name="Priya", last_name="Shah"))
    other = working(UserFactory(username="amelia", first_name="Amelia", last_name="Hart"))
    for who in (priya, other):  # two: a filter of one choice is not shown
        WorkingException.objects.create(practitioner=who, on=at(3, 0).date(), kind="leave")
    for url in ("/admin/diary/workingexception/", "/admin/diary/workingpattern/"):
        html = manager_client.get(url).content.decode()
        assert html.count("Priya Shah") >= 2, url  # a row and the filter
        assert ">nurse<" not in html, url
    form = manager_client.get("/admin/diary/workingexception/add/").content.decode()
    assert f'<option value="{priya.pk}">Priya Shah</option>' in form
