"""The diary's day view with 8 practitioners and 30 appointments each (issue 15,
acceptance): median and p95 server time of GET /diary/ over 40 requests, and its query
count, Django test client on the test database (PostgreSQL when DATABASE_URL says so;
run it there: `source .ci/postgres.sh start` first).

    .venv/bin/pytest bench/diary_day.py -q -s -p no:randomly

Prints `day view: 240 appointments, N queries, median X ms, p95 Y ms (goal <= 100 ms: met)`
the time spent in the database, and the median CPU time of the Django process (less
sensitive to other load on the machine than the wall-clock figures). The query count is pinned by
tests/clinic/test_diary.py::test_day_view_query_count_is_pinned (and does not grow with
the number of appointments).
"""

import statistics
import time as clock
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.diary.models import Appointment, AppointmentType, WorkingPattern
from clinic.roles import Role
from tests.factories import PatientFactory, UserFactory

REPEATS = 40
PRACTITIONERS, PER_PRACTITIONER = 8, 30
GOAL_MS = 100  # issue 15, acceptance


@pytest.mark.django_db
def test_day_view_timing():
    reception = UserFactory(username="bench-desk", role=Role.RECEPTION)
    review = AppointmentType.objects.get(slug="phone-review")
    day = timezone.localdate()
    patients = PatientFactory.create_batch(60)
    rows = []
    for n in range(PRACTITIONERS):
        person = UserFactory(username=f"bench-dr{n}", role=Role.PRACTITIONER)
        WorkingPattern.objects.create(
            practitioner=person, weekday=day.weekday(), starts=time(8), ends=time(18)
        )
        start = timezone.make_aware(datetime.combine(day, time(8)))
        for slot in range(PER_PRACTITIONER):
            starts = start + timedelta(minutes=20 * slot)
            rows.append(
                Appointment(
                    patient=patients[(n * PER_PRACTITIONER + slot) % len(patients)],
                    practitioner=person,
                    appointment_type=review,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=15 + 5 * (slot % 2)),
                    booked_by=reception,
                )
            )
    Appointment.objects.bulk_create(rows)
    client = Client()
    client.force_login(reception)
    url = f"/diary/?day={day:%Y-%m-%d}"
    assert client.get(url).status_code == 200  # warm-up (template loading)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    queries = len(ctx.captured_queries)
    database_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    timings, cpu = [], []
    for _ in range(REPEATS):
        began, began_cpu = clock.perf_counter(), clock.process_time()
        response = client.get(url)
        timings.append((clock.perf_counter() - began) * 1000)
        cpu.append((clock.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"\nday view: {len(rows)} appointments, {queries} queries "
        f"({database_ms:.1f} ms in the database), median {median:.1f} ms, p95 {p95:.1f} ms "
        f"(goal <= {GOAL_MS} ms: {'met' if median <= GOAL_MS else 'NOT met'} at the median, "
        f"{'met' if p95 <= GOAL_MS else 'not met'} at p95); "
        f"median CPU time of this process {statistics.median(cpu):.1f} ms (what the load "
        f"of other processes on the machine changes least)"
    )
