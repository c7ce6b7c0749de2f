"""EXPLAIN (ANALYZE, BUFFERS) of the SQL that patient_search runs, one plan per search.

Diagnosis companion to search_latency.py: run against the same database (DATABASE_URL)
to see why a kind of search is slow. Read-only (EXPLAIN ANALYZE of SELECTs only).

    DATABASE_URL=postgres://... .venv/bin/python bench/explain_search.py \\
        "Smith" "Ma" "07700 900123" "999 123 4567" "K001234" "smith 03/04/1981"

Options: --user (whose permissions apply; default reception), --summary (plan nodes and
timings only, no full SQL).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_WORDS = ("Scan", "Bitmap", "Cond", "Filter", "Rows Removed", "Execution", "Planning")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="+", help="search text as typed")
    parser.add_argument("--user", default="reception")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from patients.selectors import patient_search

    if connection.vendor != "postgresql":
        parser.error("needs PostgreSQL: set DATABASE_URL")
    user = get_user_model().objects.get(username=args.user)
    user.has_perm("patients.view_patient")  # load the permission cache outside the timing
    for query in args.queries:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            results = patient_search(user=user, query=query, status="active", limit=26)
            elapsed = (time.perf_counter() - start) * 1000
        print(
            f"=== {query!r}: {len(results)} results, {elapsed:.1f} ms in patient_search "
            f"(Python included), {len(captured.captured_queries)} query(ies)"
        )
        # One transaction, replaying SET statements (e.g. SET LOCAL of a similarity
        # threshold for a retry) so each SELECT is explained in the settings it ran with.
        with transaction.atomic(), connection.cursor() as cursor:
            for item in captured.captured_queries:
                sql = item["sql"]
                if sql.startswith("SELECT set_config(") and ";\n" in sql:
                    # Planner settings, the search, their RESETs in one string
                    # (patients.selectors.search_names): set, then explain the search.
                    settings, sql = sql.split(";\n", 1)
                    sql = sql.split("; RESET ", 1)[0]
                    print(f"  ({settings})")
                    cursor.execute(settings)
                verb = sql.lstrip().split(None, 1)[0].upper()
                if verb == "SET":
                    print(f"  ({sql})")
                    cursor.execute(sql)
                    continue
                if verb not in ("SELECT", "WITH"):
                    continue
                print(f"  query {item['time']} s" + ("" if args.summary else f": {sql}"))
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                for (line,) in cursor.fetchall():
                    if not args.summary or any(word in line for word in SUMMARY_WORDS):
                        print(f"    {line}")
            transaction.set_rollback(True)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
