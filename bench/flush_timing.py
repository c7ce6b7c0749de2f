"""How long the test suite spends emptying the database between transactional tests
(bench/README.md, "The suite's flush, the roles sync and the checks").

A pytest plugin: times Django's flush command, the SQL it runs, the commit after it and the
post_migrate signal it sends, in every worker, and prints the totals when the run ends.

    PYTHONPATH=bench .venv/bin/pytest -p flush_timing -n 2 tests/e2e -q

(on PostgreSQL: source .ci/postgres.sh start first; a fresh cluster, as make test's: on a
long-running one with other databases the TRUNCATE took three times as long).
"""

import collections
import json
import os
import tempfile
import time
from pathlib import Path

FOLDER = Path(os.environ.get("FLUSH_TIMING_DIR", Path(tempfile.gettempdir()) / "flush-timing"))
totals = collections.defaultdict(float)
counts = collections.Counter()


def timed(key, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - start
            counts[key] += 1

    return wrapper


def pytest_configure(config):
    from django.core.management.commands import flush
    from django.db import transaction
    from django.db.backends.base.operations import BaseDatabaseOperations

    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        FOLDER.mkdir(exist_ok=True)
        for old in FOLDER.glob("*.json"):
            old.unlink()
    flush.Command.handle = timed("flush command", flush.Command.handle)
    flush.emit_post_migrate_signal = timed("post_migrate", flush.emit_post_migrate_signal)

    def execute_sql_flush(self, sql_list):  # Django's, with its two halves timed
        start = time.perf_counter()
        with transaction.atomic(
            using=self.connection.alias, savepoint=self.connection.features.can_rollback_ddl
        ):
            with self.connection.cursor() as cursor:
                for sql in sql_list:
                    cursor.execute(sql)
            statements_done = time.perf_counter()
        totals["flush statement"] += statements_done - start
        counts["flush statement"] += 1
        totals["commit"] += time.perf_counter() - statements_done
        counts["commit"] += 1

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush


def pytest_unconfigure(config):
    name = config.workerinput["workerid"] if hasattr(config, "workerinput") else "main"
    if counts:
        (FOLDER / f"{name}.json").write_text(json.dumps({"totals": totals, "counts": counts}))
    if hasattr(config, "workerinput"):
        return
    summed, number = collections.defaultdict(float), collections.Counter()
    for path in FOLDER.glob("*.json"):
        data = json.loads(path.read_text())
        for key, value in data["totals"].items():
            summed[key] += value
            number[key] += data["counts"][key]
    print("\nflush timing (all workers):")
    for key in ("flush command", "flush statement", "commit", "post_migrate"):
        if number[key]:
            print(
                f"  {key:<16} {number[key]:4d} x, {summed[key]:7.2f} s, "
                f"{1000 * summed[key] / number[key]:6.0f} ms each"
            )
