"""The 12-month dashboard print, the page, the re-treatment panel and the recall report,
timed in process through Django's test client as the demo `manager` (the whole
middleware stack, templates and queries, as bench/reports_latency.py), for before/after
runs from two source trees on one database, alternately:

    cd TREE && DATABASE_URL=postgres://... .venv/bin/python bench/print_timing.py [--requests 10]

(a tree without this file: `.venv/bin/python /path/to/bench/print_timing.py` from inside
it; the tree is the working directory). Prints one JSON line: the tree, the load average,
and per page [p50 ms, p95 ms, statements].
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    today = timezone.localdate()
    year = f"start={today - timedelta(days=364):%Y-%m-%d}&end={today:%Y-%m-%d}"
    pages = {
        "print, 12 months": f"/dashboard/?{year}&print=1",
        "page, 12 months": f"/dashboard/?{year}",
        "re-treatment panel, 12 months": f"/dashboard/panels/retreatment/?{year}",
        "recall report": "/reports/recall/",
        "print, this month": "/dashboard/?print=1",
    }
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username="manager"))
    out = {"tree": os.getcwd(), "load": [round(x, 2) for x in os.getloadavg()]}
    for name, url in pages.items():
        for _ in range(args.warmup):
            client.get(url)
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[round(0.95 * (len(times) - 1))]
        out[name] = [round(statistics.median(times), 1), round(p95, 1), len(ctx)]
    out["load after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
