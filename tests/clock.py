"""Times for tests that pin the clock (time-machine: it moves the clock at C level, so
model defaults and timezone.now() move with it). CI runs at any hour, and a run started
at 23:59 runs most of its tests after midnight (review 07/12/2026): a test that needs a
time of day, or reads a date when its module is imported (a module's TODAY, a
parametrised "tomorrow"), pins the clock, e.g. for a whole module

    TODAY = timezone.localdate()
    pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]

(time-machine's marker: the clock running from there, set before the test's fixtures)."""

from datetime import date, datetime, time

from django.utils import timezone


def london(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """`day` at hour:minute in the clinic's time (Europe/London), midday unless said."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
