"""Helpers for the diary's tests: a practitioner working every day, a time a few days
from today, a seeded appointment type, and a booking through the service."""

import importlib
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from clinic.diary import services
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
    return services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=kind(type_slug),
        starts_at=starts_at,
        booked_by=reception,
        **kwargs,
    )
