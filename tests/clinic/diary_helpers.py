"""Helpers for the diary's tests: a practitioner working every day, a time a few days
from today, a seeded appointment type, a booking through the service, and a waiting
patient offered a cancelled slot."""

import importlib
import threading
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import close_old_connections, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services
from clinic.diary.checks import past_check
from clinic.diary.models import AppointmentType, WorkingPattern


def working(user, *, starts=time(9), ends=time(17)):
    """Works every day of the week, so that tests do not depend on today's weekday."""
    for weekday in range(7):
        WorkingPattern.objects.create(practitioner=user, weekday=weekday, starts=starts, ends=ends)
    return user


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def kind(slug: str) -> AppointmentType:
    """A seeded appointment type; re-seeded when a transactional test's flush emptied the
    table (the seed migration's own function, so the rows are the same)."""
    if not AppointmentType.objects.exists():
        seed = importlib.import_module("clinic.diary.migrations.0003_seed_appointment_types")
        with transaction.atomic():  # all rows at once: a thread never sees half the seed
            seed.forward(apps, None)
    return AppointmentType.objects.get(slug=slug)


def book(patient, doctor, reception, starts_at, type_slug="review", **kwargs):
    """Book through the service. A start already passed (a test setting up today's diary,
    or yesterday's, as if booked beforehand) is acknowledged as such unless the test says
    what to acknowledge: any other check is still asked about."""
    if "acknowledge_flags" not in kwargs and (passed := past_check(starts_at=starts_at)):
        kwargs["acknowledge_flags"] = {passed.key}
    return services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=kind(type_slug),
        starts_at=starts_at,
        booked_by=reception,
        **kwargs,
    )


def offered_entry(reception, practitioner, patient):
    """`patient` waits for a review; another patient's review in two days is cancelled:
    its slot is offered to them (the entry, status "offered")."""
    from clinic.diary.waiting_list import services as waiting_services
    from tests.factories import PatientFactory

    working(practitioner, starts=time(7), ends=time(21))
    entry = waiting_services.waiting_list_add(
        patient=patient,
        appointment_type=kind("review"),
        from_date=timezone.localdate(),
        created_by=reception,
    )
    other = book(PatientFactory(), practitioner, reception, at(2, 10), acknowledge_flags=True)
    services.appointment_cancel(
        appointment=other, cancelled_by="patient", reason="Away", user=reception
    )
    entry.refresh_from_db()
    assert entry.status == "offered"
    return entry


def two_at_once(work) -> list:
    """`work(0)` and `work(1)` in two threads released together (real concurrent
    transactions, PostgreSQL): what each returned, or the exception it raised. Each thread
    closes its connection; a thread still running after 30 s fails the test."""
    barrier = threading.Barrier(2)
    results = [None, None]

    def attempt(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - the test looks at what came back
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a thread outlived its test (it would hold a connection)"
    return results


def post_step(client, appointment, status, **extra):
    """A diary step (arrived, dna, booked...) as the page posts it, at the current version."""
    appointment.refresh_from_db()
    return client.post(
        reverse("diary:appointment_step", args=[appointment.public_id]),
        {"status": status, "version": appointment.version, **extra},
    )
