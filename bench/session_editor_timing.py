"""The session editor with 31 PREEMPT points, and a lot-tracked administration (issue 14):

- the editor page (GET) and its live safety check (the htmx POST to session_check), 20
  repetitions each after a warm-up;
- start a session, save its draft, sign it (three POSTs, drawing from a reconstituted
  vial; tests/treatments/administration_flow.py), 10 administrations, each for a new
  patient and vial.

Django test client on the test database (SQLite unless DATABASE_URL says otherwise):

    source .ci/postgres.sh start
    .venv/bin/pytest bench/session_editor_timing.py -q -s -p no:randomly

Prints one line per figure (median and p95 wall time, median CPU time of this process,
statements per request as Django logs them) with its goal, and writes them to
bench/results/session_editor.json for `make bench` (bench/results_io.py). Timings on a
shared machine are noisy: the line with the load average says how busy it was; the CPU
time and the statement counts are the steadier evidence. Not part of `make test` (it
lives outside tests/).
"""

import os
import statistics
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinic.roles import Role
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory, VialFactory
from tests.treatments.administration_flow import (
    administration_setup,
    editor_data,
    post_form,
    save_data,
    sign_data,
    start_data,
)
from treatments import selectors, services
from treatments.models import Indication, Product, TreatmentSession

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import figure, write  # bench/ is on the path from here

REPEATS = 20
ADMINISTRATIONS = 10
GOALS = {"editor": 150.0, "check": 60.0, "administration queries": 25}


class Sample:
    """Wall and CPU milliseconds and statements of repeated calls."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.queries: list[int] = []

    def time(self, call, status=200):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.queries.append(len(ctx.captured_queries))
        assert response.status_code == status, (response.status_code, call)
        return response

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        ordered = sorted(self.wall)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def line(self, name: str, goal: float | None) -> str:
        target = f"goal <= {goal:.0f} ms" if goal else "no goal"
        return (
            f"{name}: median {self.median:.1f} ms, p95 {self.p95:.1f} ms, "
            f"CPU median {statistics.median(self.cpu):.1f} ms, "
            f"{max(self.queries)} queries ({target})"
        )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


results: list[dict] = []


def _report(line: str, *rows: dict) -> None:
    print(line)
    results.extend(rows)


@pytest.mark.django_db
def test_session_editor_timing():
    practitioner = UserFactory(username="bench-practitioner", role=Role.PRACTITIONER)
    patient = PatientFactory(registered_by=practitioner)
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    VialFactory(received_by=practitioner, presentation_units=200, diluent_ml=4)
    indication = Indication.objects.get(slug="chronic-migraine")
    product = Product.objects.get(slug="botox")
    template = selectors.site_template_for(indication=indication, product=product)
    session = services.session_start(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        product=product,
        template=template,
    )
    assert session.points.count() == 31
    client = Client()
    client.force_login(practitioner)
    url = f"/sessions/{session.public_id}/edit/"
    data = editor_data(client, session)
    check_url = f"/sessions/{session.public_id}/check/"
    editor, check = Sample(), Sample()
    client.get(url)  # warm-up: template loading, this process's reference copy
    post_form(client, check_url, data, HTTP_HX_REQUEST="true")
    for _ in range(REPEATS):
        editor.time(lambda: client.get(url))
    for _ in range(REPEATS):
        check.time(lambda: post_form(client, check_url, data, HTTP_HX_REQUEST="true"))
    print(f"\n{_load()}")
    _report(
        editor.line("session editor GET (31 PREEMPT points)", GOALS["editor"]),
        figure("session editor GET p50", editor.median, "ms", goal=GOALS["editor"]),
        figure("session editor GET queries", max(editor.queries), "queries"),
    )
    _report(
        check.line("live re-check POST (htmx)", GOALS["check"]),
        figure("session live re-check p50", check.median, "ms", goal=GOALS["check"]),
        figure("session live re-check queries", max(check.queries), "queries"),
    )


@pytest.mark.django_db
def test_lot_tracked_administration_timing():
    practitioner = UserFactory(username="bench-administration", role=Role.PRACTITIONER)
    start, draft, sign, total = Sample(), Sample(), Sample(), []
    for round_ in range(ADMINISTRATIONS + 1):  # the first is a warm-up
        flow = administration_setup(practitioner)
        url, data = start_data(flow)
        one = [Sample(), Sample(), Sample()]
        one[0].time(lambda: post_form(flow.client, url, data), status=302)  # noqa: B023
        session = TreatmentSession.objects.get(patient=flow.patient)
        edit = f"/sessions/{session.public_id}/edit/"
        data_save = save_data(flow.client, session)
        one[1].time(lambda: post_form(flow.client, edit, data_save), status=302)  # noqa: B023
        data_sign = sign_data(flow.client, session)
        one[2].time(lambda: post_form(flow.client, edit, data_sign), status=302)  # noqa: B023
        session.refresh_from_db()
        assert session.is_signed and session.draws.exists()
        if round_ == 0:
            continue
        for target, sample in zip((start, draft, sign), one, strict=True):
            target.wall += sample.wall
            target.cpu += sample.cpu
            target.queries += sample.queries
        total.append(sum(s.wall[0] for s in one))
    queries = max(start.queries) + max(draft.queries) + max(sign.queries)
    print(f"\n{_load()}")
    for name, sample in (("start", start), ("draft save", draft), ("sign", sign)):
        _report(
            sample.line(f"administration {name} POST", None),
            figure(f"administration {name} queries", max(sample.queries), "queries"),
        )
    p50 = statistics.median(total)
    _report(
        f"lot-tracked administration (start + draft + sign): p50 {p50:.1f} ms "
        f"(no goal here: the peer comparison gives it), {queries} queries "
        f"(goal <= {GOALS['administration queries']})",
        figure("administration p50", p50, "ms"),
        figure(
            "administration queries",
            queries,
            "queries",
            goal=GOALS["administration queries"],
        ),
    )
    path = write("session_editor", results, path=os.environ.get("BENCH_OUT") or None)
    print(f"written to {path}")
