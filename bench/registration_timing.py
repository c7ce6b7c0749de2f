"""The registration form's GET and POST in process (issue 14.3): CPU time per request,
steadier than requests per second on a shared machine.

Django test client on the test database (SQLite unless DATABASE_URL says otherwise), a
reception user; after a warm-up, REPEATS GETs of /patients/new/, then REPEATS POSTs of a
new person each (the token fetched beforehand, not timed), then REPEATS POSTs that fail
validation (the form re-rendered with its errors):

    source .ci/postgres.sh start
    .venv/bin/pytest bench/registration_timing.py -q -s -p no:randomly

Prints per kind the median wall and CPU milliseconds, the total CPU seconds of the
REPEATS requests, and the statements per request as Django logs them (inside the test's
transaction: every atomic block adds a SAVEPOINT and a RELEASE). BENCH_REPEATS changes
the count (default 200). Not part of `make test` (it lives outside tests/).
"""

import os
import re
import statistics
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Counter
from clinic.roles import Role
from patients.services import RECORD_NUMBER_COUNTER
from tests.conftest import client_for
from tests.factories import UserFactory

REPEATS = int(os.environ.get("BENCH_REPEATS", "200"))
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')


def _person(i: int) -> dict:
    born = date(1940, 1, 1) + timedelta(days=(i * 37) % 25_000)
    return {
        "title": "Ms", "given_names": "Eleanor", "family_name": f"Bench{chr(97 + i % 26)}"
        f"{chr(97 + i // 26 % 26)}{chr(97 + i // 676 % 26)}", "preferred_name": "",
        "date_of_birth": born.strftime("%d/%m/%Y"), "sex": "female", "nhs_number": "",
        "phone": f"07999 {i:06d}", "email": "", "address_line_1": "12 Phillimore Gardens",
        "address_line_2": "", "town": "London", "postcode": "W8 7QB",
        "gp_practice": "Holland Park Surgery", "gp_name": "",
        "emergency_contact_name": "Sam Bench", "emergency_contact_relationship": "",
        "emergency_contact_phone": "07700 900456", "referral_source": "gp",
        "referral_detail": "",
    }  # fmt: skip


def _timed(call, status):
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    cpu = (time.process_time() - cpu) * 1000
    wall = (time.perf_counter() - wall) * 1000
    assert response.status_code == status, response.content.decode()[:800]
    return wall, cpu, len(ctx.captured_queries), response


def _line(name, rows) -> str:
    walls, cpus, queries = zip(*((w, c, q) for w, c, q, _ in rows), strict=True)
    return (
        f"{name:<22} wall median {statistics.median(walls):6.2f} ms  "
        f"CPU median {statistics.median(cpus):6.2f} ms  CPU total {sum(cpus) / 1000:6.2f} s "
        f"({len(rows)} requests)  statements {min(queries)}-{max(queries)}"
    )


@pytest.mark.django_db
def test_registration_timing():
    Counter.allocate(RECORD_NUMBER_COUNTER)
    client = client_for(UserFactory(username="bench-reception", role=Role.RECEPTION))
    url = reverse("patients:register")

    def token() -> str:
        return TOKEN.search(client.get(url).content.decode()).group(1)

    for i in range(5):  # warm-up: templates, URL resolver, this process's caches
        client.post(url, {**_person(10_000 + i), "submission_token": token()})
    gets = [_timed(lambda: client.get(url), 200) for _ in range(REPEATS)]
    tokens = [token() for _ in range(REPEATS)]
    posts = [
        _timed(lambda t=t, i=i: client.post(url, {**_person(i), "submission_token": t}), 302)
        for i, t in enumerate(tokens)
    ]
    bad = {**_person(99_999), "postcode": "nonsense", "date_of_birth": "31/02/1990"}
    invalid = [
        _timed(lambda: client.post(url, {**bad, "submission_token": tokens[0]}), 200)
        for _ in range(REPEATS // 4)
    ]
    assert "nonsense" in invalid[0][3].content.decode()  # what was typed is kept
    one, five, _ = os.getloadavg()
    print(f"\n{connection.vendor}, load average {one:.2f} / {five:.2f}, {os.cpu_count()} CPUs")
    print(_line("GET /patients/new/", gets))
    print(_line("POST (registers)", posts))
    print(_line("POST (invalid)", invalid))
