"""Regression tests from the review: a front-desk step on a stale page (B6), far or
unreadable dates and numbers in the diary's addresses and forms (C4, C5)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.models import AppointmentType, WorkingPattern
from clinic.inputs import STALE_PAGE_MESSAGE
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def working(user):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=user, weekday=weekday, starts=time(0), ends=time(23, 45)
        )
    return user


def now_on_grid() -> datetime:
    start = timezone.now().replace(second=0, microsecond=0)
    return start - timedelta(minutes=start.minute % 15)


def book(patient, practitioner, reception, starts_at):
    return services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="review"),
        starts_at=starts_at,
        booked_by=reception,
        acknowledge_flags=True,
    )


def step_url(appointment):
    return reverse("diary:appointment_step", args=[appointment.public_id])


# B6: a step on a stale page ------------------------------------------------------------


def test_arrived_on_a_stale_page_after_a_move_is_refused(patient, practitioner, reception):
    """Desk B moves the appointment a week ahead; desk A, on the page from before, clicks
    Arrived: nothing is marked, and A is told what changed."""
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    shown = appointment.version
    services.appointment_move(
        appointment=appointment,
        starts_at=appointment.starts_at + timedelta(days=7),
        moved_by=reception,
        expected_version=shown,
        acknowledge_flags=True,
    )
    client = client_for(reception)
    response = client.post(step_url(appointment), {"status": "arrived", "version": shown})
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.arrived_at is None
    assert response["Location"] == appointment.get_absolute_url()
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "since your page was opened" in said and "not marked arrived" in said


def test_arrived_is_refused_for_an_appointment_not_today(patient, practitioner, reception):
    """Even with no version (or the current one), Arrived is for today's appointments."""
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid() + timedelta(days=7))
    client = client_for(reception)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert 'data-testid="mark-arrived"' not in page  # not offered, as it would be refused
    assert "Mark confirmed</button>" in page
    response = client.post(
        step_url(appointment), {"status": "arrived", "version": appointment.version}
    )
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.arrived_at is None
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "not today" in said


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999999999999"])
def test_a_step_without_a_readable_version_is_refused_as_out_of_date(
    patient, practitioner, reception, version
):
    """Every page sends the version it showed; a step without it could not be checked
    against a change made meanwhile, so it is refused (it used to go through unchecked)."""
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    data = {"status": "arrived"} if version is None else {"status": "arrived", "version": version}
    response = client_for(reception).post(step_url(appointment), data)
    assert response.status_code == 302
    assert response["Location"] == appointment.get_absolute_url()
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert said == STALE_PAGE_MESSAGE
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.arrived_at is None


def test_a_step_with_the_current_version_and_a_double_click(patient, practitioner, reception):
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    client = client_for(reception)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert f'name="version" value="{appointment.version}"' in page
    assert 'data-testid="mark-arrived"' in page  # today's: offered
    data = {"status": "arrived", "version": appointment.version}
    client.post(step_url(appointment), data)
    second = client.post(step_url(appointment), data)  # the same click again
    appointment.refresh_from_db()
    assert appointment.status == "arrived" and appointment.version == data["version"] + 1
    said = " ".join(str(m) for m in second.wsgi_request._messages)
    assert "since your page was opened" not in said


def test_the_home_pages_arrived_button_carries_the_version(patient, practitioner, reception):
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid())
    page = client_for(reception).get("/").content.decode()
    assert f'name="version" value="{appointment.version}"' in page


# C4: far dates ------------------------------------------------------------------------

FAR_DAYS = ["31/12/9999", "01/01/0001", "9999-12-31", "0001-01-01"]


@pytest.mark.parametrize("day", FAR_DAYS)
def test_the_day_and_week_pages_show_today_for_a_day_out_of_range(
    reception_client, practitioner, day
):
    working(practitioner)
    today = timezone.localdate()
    page = reception_client.get(reverse("diary:day"), {"day": day})
    assert page.status_code == 200 and page.context["view"].day == today
    week = reception_client.get(reverse("diary:week", args=[practitioner.pk]), {"day": day})
    assert week.status_code == 200
    assert week.context["days"][0][0] == today - timedelta(days=today.weekday())


def test_free_slots_from_a_far_day_starts_today(reception_client, practitioner):
    review = AppointmentType.objects.get(slug="review")
    page = reception_client.get(
        reverse("diary:free_slots"), {"appointment_type": review.pk, "from": "31/12/9999"}
    )
    assert page.status_code == 200


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:00-12:00", "2026-13-01T09:00"]
)
def test_the_booking_form_ignores_an_unusable_start(reception_client, start):
    page = reception_client.get(reverse("diary:book"), {"start": start})
    assert page.status_code == 200
    assert "day" not in page.context["form"].initial


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ("2026-12-08T11:20+00:00", "11:15"),
        ("2026-12-08T11:15+00:00", "11:15"),
        ("2026-12-08T06:30+00:00", None),
    ],
)
def test_a_booking_link_between_quarter_hours_shows_the_quarter_before(
    reception_client, start, shown
):
    # It showed 07:00, the Time list's first entry, for 11:20.
    page = reception_client.get(reverse("diary:book"), {"start": start})
    assert page.context["form"].initial.get("start") == shown
    if shown:
        assert f'<option value="{shown}" selected>' in page.content.decode()


def test_booking_beyond_the_horizon_is_refused_on_the_form(reception_client, practitioner, patient):
    working(practitioner)
    data = {
        "patient": patient.public_id,
        "appointment_type": AppointmentType.objects.get(slug="review").pk,
        "practitioner": practitioner.pk,
        "day": "31/12/9999",
        "start": "20:45",
        "minutes": "240",
        "acknowledge_flags": "on",
        "notes": "Typed by the desk",
    }
    page = reception_client.post(reverse("diary:book"), data)
    assert page.status_code == 200
    assert "up to 2 years ahead" in " ".join(page.context["form"].errors["day"])
    assert "Typed by the desk" in page.content.decode()  # nothing typed is lost
    from clinic.diary.models import Appointment

    assert not Appointment.objects.exists()


def test_moving_beyond_the_horizon_is_refused(reception_client, reception, practitioner, patient):
    working(practitioner)
    appointment = book(patient, practitioner, reception, now_on_grid() + timedelta(days=2))
    page = reception_client.post(
        reverse("diary:appointment_move", args=[appointment.public_id]),
        {
            "day": "31/12/9999",
            "start": "20:45",
            "practitioner": practitioner.pk,
            "version": appointment.version,
            "acknowledge_flags": "on",
        },
    )
    assert page.status_code == 200 and "up to 2 years ahead" in page.content.decode()
    moved = type(appointment).objects.get(pk=appointment.pk)
    assert moved.starts_at == appointment.starts_at


def test_the_services_refuse_a_day_beyond_the_horizon(reception, practitioner, patient):
    """Whatever path calls them (a form is one): no overflow, a plain refusal."""
    from django.core.exceptions import ValidationError

    working(practitioner)
    far = datetime(9999, 12, 31, 20, 45, tzinfo=timezone.get_current_timezone())
    with pytest.raises(ValidationError, match="2 years ahead"):
        services.appointment_book(
            patient=patient,
            practitioner=practitioner,
            appointment_type=AppointmentType.objects.get(slug="review"),
            starts_at=far,
            minutes=240,  # past the end of year 9999: was an OverflowError
            booked_by=reception,
            acknowledge_flags=True,
        )
    appointment = book(patient, practitioner, reception, now_on_grid() + timedelta(days=2))
    with pytest.raises(ValidationError, match="2 years ahead"):
        services.appointment_move(
            appointment=appointment, starts_at=far, moved_by=reception, acknowledge_flags=True
        )
    within = now_on_grid() + timedelta(days=700)
    assert book(patient, practitioner, reception, within).starts_at == within


# C5: numbers that str.isdigit() accepts and int() does not ------------------------------

ODD_NUMBERS = ["²", "٣", "9" * 30]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("action", ["diary:waiting_list_withdraw", "diary:waiting_list_send_offer"])
def test_an_odd_waiting_list_entry_is_a_plain_message(reception_client, action, value):
    response = reception_client.post(reverse(action), {"entry": value})
    assert response.status_code == 302 and response["Location"] == reverse("diary:waiting_list")
    assert "Choose a patient on the waiting list." in [
        str(m) for m in response.wsgi_request._messages
    ]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_free_slots_ignore_an_odd_indication_or_practitioner(reception_client, value):
    review = AppointmentType.objects.get(slug="review")
    url = reverse("diary:free_slots")
    assert reception_client.get(url, {"indication": value}).status_code == 200
    page = reception_client.get(url, {"appointment_type": review.pk, "practitioner": value})
    assert page.status_code == 200
    assert reception_client.get(url, {"indication": value, "product": value}).status_code == 200
