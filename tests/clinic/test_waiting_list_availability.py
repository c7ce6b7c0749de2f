"""When a waiting patient can come (front-desk review: "Mornings only" typed in the notes,
which the matching could not read, and the freed 16:30 slot was offered): the times of
day and the weekdays on the entry, asked by the add form, said on the list, and read by
the matching of a cancelled slot in London time."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services as diary_services
from clinic.diary.models import Appointment, WorkingPattern
from clinic.diary.waiting_list import services
from clinic.diary.waiting_list.choices import (
    EVERY_DAY,
    TimeOfDay,
    weekday_bit,
    weekdays_mask,
    weekdays_said,
)
from clinic.diary.waiting_list.models import WaitingListEntry
from clinic.roles import Role
from tests.clinic.diary_helpers import book, kind, working
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def slot_at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A day at least two days ahead (bookable, in the future at any hour CI runs)."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def wait(reception, *, time_of_day=TimeOfDay.ANY, weekdays=EVERY_DAY, **kwargs):
    return services.waiting_list_add(
        patient=kwargs.pop("patient", None) or PatientFactory(),
        appointment_type=kind("review"),
        from_date=timezone.localdate(),
        created_by=reception,
        time_of_day=time_of_day,
        weekdays=weekdays,
        **kwargs,
    )


def cancel(appointment, reception) -> list[int]:
    cancelled = diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="patient", reason="Away", user=reception
    )
    return [entry.pk for entry in cancelled.waiting_list_offers]


# The matching ---------------------------------------------------------------------------


def test_a_mornings_only_patient_is_not_offered_a_half_past_four_slot(doctor, reception):
    working(doctor, starts=time(7), ends=time(20))  # 16:30 inside their hours
    mornings = wait(reception, time_of_day=TimeOfDay.MORNINGS)
    afternoons = wait(reception, time_of_day=TimeOfDay.AFTERNOONS)
    any_time = wait(reception)
    late = book(PatientFactory(), doctor, reception, slot_at(3, 16, 30))

    assert cancel(late, reception) == [afternoons.pk, any_time.pk]
    mornings.refresh_from_db()
    assert (mornings.status, mornings.offered_appointment) == ("waiting", None)


def test_a_mornings_only_patient_is_offered_a_half_past_nine_slot(doctor, reception):
    mornings = wait(reception, time_of_day=TimeOfDay.MORNINGS)
    afternoons = wait(reception, time_of_day=TimeOfDay.AFTERNOONS)
    early = book(PatientFactory(), doctor, reception, slot_at(3, 9, 30))

    assert cancel(early, reception) == [mornings.pk]
    mornings.refresh_from_db()
    assert (mornings.status, mornings.offered_appointment) == ("offered", early)
    afternoons.refresh_from_db()
    assert afternoons.status == "waiting"


def test_a_weekday_left_out_is_not_offered(doctor, reception):
    starts = slot_at(4, 10)
    day = starts.weekday()
    others = weekdays_mask(d for d in range(7) if d != day)
    not_that_day = wait(reception, weekdays=others)
    that_day_only = wait(reception, weekdays=weekday_bit(day))
    every_day = wait(reception)
    appointment = book(PatientFactory(), doctor, reception, starts)

    assert cancel(appointment, reception) == [that_day_only.pk, every_day.pk]
    not_that_day.refresh_from_db()
    assert not_that_day.status == "waiting"


def test_the_time_and_the_day_are_read_in_london_time(doctor, reception):
    """11:30 UTC on a summer day is 12:30 in London: an afternoon's slot. 23:30 UTC on a
    Sunday is 00:30 on Monday in London. (Not saved: what the matching reads of it.)"""
    mornings = wait(reception, time_of_day=TimeOfDay.MORNINGS)
    afternoons = wait(reception, time_of_day=TimeOfDay.AFTERNOONS)
    mondays = wait(reception, weekdays=weekday_bit(0))
    summer = Appointment(
        patient=PatientFactory(),
        practitioner=doctor,
        appointment_type=kind("review"),
        starts_at=datetime(2027, 7, 14, 11, 30, tzinfo=UTC),  # a Wednesday
    )
    matched = {e.pk for e in services.matching_entries(appointment=summer)}
    assert afternoons.pk in matched and mornings.pk not in matched
    assert mondays.pk not in matched

    summer.starts_at = datetime(2027, 7, 18, 23, 30, tzinfo=UTC)  # Sunday in UTC
    matched = {e.pk for e in services.matching_entries(appointment=summer)}
    assert mondays.pk in matched and mornings.pk in matched


def test_noon_starts_the_afternoon():
    assert TimeOfDay.fitting(time(11, 45)) == [TimeOfDay.ANY, TimeOfDay.MORNINGS]
    assert TimeOfDay.fitting(time(12)) == [TimeOfDay.ANY, TimeOfDay.AFTERNOONS]


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (range(7), "any day"),
        ([0, 1, 3], "Mon, Tue, Thu"),
        (range(5), "Mon\u2013Fri"),
        ([0, 2, 3, 4, 5], "Mon, Wed\u2013Sat"),
        ([5], "Sat"),
    ],
)
def test_the_days_as_the_list_says_them(days, said):
    assert weekdays_said(weekdays_mask(days)) == said


def test_the_database_refuses_no_day_and_an_unknown_time_of_day(reception):
    from django.db import IntegrityError, transaction

    entry = wait(reception)
    for change in ({"weekdays": 0}, {"weekdays": 128}, {"time_of_day": "evenings"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            WaitingListEntry.objects.filter(pk=entry.pk).update(**change)


# The form ------------------------------------------------------------------------------


def _form(patient, **fields) -> dict:
    return {
        "patient": patient.public_id,
        "appointment_type": kind("review").pk,
        "from_date": timezone.localdate().strftime("%d/%m/%Y"),
        "time_of_day": "any",
        "weekdays": [str(day) for day in range(7)],
        **fields,
    }


def test_the_form_asks_with_every_day_ticked_and_any_time_chosen(reception_client, doctor):
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert "When can they come?" in html and "Which days?" in html
    for day in range(7):
        assert f'name="weekdays" value="{day}" id="id_weekdays_{day}" checked' in html
    assert re.search(r'name="time_of_day" value="any" id="id_time_of_day_0"[^>]*checked', html)
    assert "Mornings (before 12:00)" in html and "Afternoons (from 12:00)" in html


def test_the_form_offers_the_days_the_clinic_opens(reception_client, reception):
    """Nobody works at the weekend: Saturday and Sunday are not offered; the five
    weekdays ticked is every day, so that a Saturday clinic opened later is offered too."""
    weekdays_only = UserFactory(username="weekdays", role=Role.PRACTITIONER)
    for day in range(5):
        WorkingPattern.objects.create(
            practitioner=weekdays_only, weekday=day, starts=time(9), ends=time(17)
        )
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    assert 'name="weekdays" value="4"' in html and 'name="weekdays" value="5"' not in html

    patient = PatientFactory()
    data = _form(patient, weekdays=[str(day) for day in range(5)])
    assert reception_client.post(reverse("diary:waiting_list"), data).status_code == 302
    assert WaitingListEntry.objects.get(patient=patient).weekdays == EVERY_DAY

    sunday = reception_client.post(reverse("diary:waiting_list"), _form(PatientFactory()))
    assert sunday.status_code == 200
    assert "Tick the days they can come from the days the clinic opens." in (
        sunday.content.decode()
    )


def test_the_times_and_days_chosen_are_saved(reception_client, doctor):
    patient = PatientFactory()
    response = reception_client.post(
        reverse("diary:waiting_list"),
        _form(patient, time_of_day="mornings", weekdays=["0", "1", "3"]),
    )
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get(patient=patient)
    assert entry.time_of_day == TimeOfDay.MORNINGS
    assert entry.weekdays == weekdays_mask([0, 1, 3])


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"weekdays": []}, "Tick at least one day they can come."),
        ({"weekdays": ["9"]}, "Tick the days they can come from the days the clinic opens."),
        ({"weekdays": ["Monday"]}, "Tick the days they can come from the days the clinic opens."),
        ({"time_of_day": "evenings"}, "Choose when they can come: any time, mornings or after"),
        ({"time_of_day": ""}, "Choose when they can come: any time, mornings or afternoons."),
    ],
)
def test_bad_times_or_days_are_a_form_error(reception_client, doctor, fields, error):
    patient = PatientFactory()
    response = reception_client.post(
        reverse("diary:waiting_list"), _form(patient, notes="Works shifts", **fields)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Works shifts"' in html  # what was typed is kept
    assert not WaitingListEntry.objects.exists()


# The list ------------------------------------------------------------------------------


def test_the_list_says_when_each_patient_can_come(reception_client, doctor, reception):
    wait(
        reception,
        patient=PatientFactory(family_name="Okafor"),
        time_of_day=TimeOfDay.MORNINGS,
        weekdays=weekdays_mask([0, 1, 3]),
        notes="Call the mobile",
    )
    wait(reception, patient=PatientFactory(family_name="Lindqvist"))
    html = reception_client.get(reverse("diary:waiting_list")).content.decode()
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row))
        for row in html.split('data-testid="waiting-entry"')[1:]
    ]
    okafor = next(row for row in rows if "OKAFOR" in row)
    assert "Mornings · Mon, Tue, Thu" in okafor
    assert "Call the mobile" in okafor  # the notes still shown
    lindqvist = next(row for row in rows if "LINDQVIST" in row)
    assert "Any time · any day" in lindqvist
