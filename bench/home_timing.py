"""The home page of each role, the page every member of staff opens first and comes back
to all day (its cards: drafts, tasks due, side effects awaiting a decision or a review,
questionnaires awaiting review, today's visits with their pre-flight lines).

Django test client on the test database (SQLite unless DATABASE_URL says otherwise), a
day's worth of rows: 24 appointments today across 3 practitioners, 4 drafts and 12 open
tasks of the practitioner's, 5 serious side effects awaiting a Yellow Card decision, 6
reports to review, 14 questionnaires awaiting review, 200 patients.

    source .ci/postgres.sh start
    .venv/bin/pytest bench/home_timing.py -q -s -p no:randomly

Prints, per role, the median and p95 wall time and the median CPU time of this process
over 60 GETs after a warm-up, and the statements per request. Not part of `make test`
(it lives outside tests/).
"""

import os
import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.roles import Role
from tests.clinic.diary_helpers import at, book, working
from tests.factories import (
    FollowUpFactory,
    PatientFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
)

REPEATS = 60


def _day(reception, practitioner):
    others = [working(UserFactory(role=Role.PRACTITIONER)) for _ in range(2)]
    patients = PatientFactory.create_batch(200, registered_by=reception)
    for i, patient in enumerate(patients[:24]):
        doctor = (practitioner, *others)[i % 3]
        book(patient, doctor, reception, at(0, 9 + i // 3, 0 if i % 2 else 30))
    for patient in patients[30:44]:
        QuestionnaireFactory(patient=patient, entered_by=reception)
    for patient in patients[50:54]:
        TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    today = timezone.localdate()
    for i, patient in enumerate(patients[60:72]):
        FollowUpFactory(patient=patient, assigned_to=practitioner, due_on=today - timedelta(i))
    for _ in range(5):
        SideEffectFactory(is_serious=True)
    for _ in range(6):
        SideEffectFactory(status="unreviewed")


def _timed(client: Client) -> tuple[list[float], list[float], int]:
    for _ in range(5):
        assert client.get("/").status_code == 200
    walls, cpus = [], []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get("/")
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    return walls, cpus, len(queries)


@pytest.mark.django_db
def test_home_timing():
    reception = UserFactory(username="bench_reception", role=Role.RECEPTION)
    practitioner = working(UserFactory(username="bench_doctor", role=Role.PRACTITIONER))
    manager = UserFactory(username="bench_manager", role=Role.MANAGER, is_staff=True)
    _day(reception, practitioner)
    print(f"\nHome page, {connection.vendor}, load average {os.getloadavg()[0]:.2f}")
    print(f"{'role':<14}{'p50 ms':>8}{'p95 ms':>8}{'CPU p50 ms':>12}{'statements':>12}")
    for role, user in (
        ("reception", reception),
        ("practitioner", practitioner),
        ("manager", manager),
    ):
        client = Client()
        client.force_login(user)
        walls, cpus, statements = _timed(client)
        p95 = statistics.quantiles(walls, n=20)[-1]
        line = f"{role:<14}{statistics.median(walls):>8.1f}{p95:>8.1f}"
        print(f"{line}{statistics.median(cpus):>12.1f}{statements:>12}")
