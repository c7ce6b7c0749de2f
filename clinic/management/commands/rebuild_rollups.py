"""Rebuild the dashboard's summaries from the raw rows, or check them against the raw rows.

    manage.py rebuild_rollups [--chunk-size 250000]
    manage.py rebuild_rollups --check [--show 20]

The summaries (treatments.models.rollups: per-session totals, the daily rollup per
practitioner, indication and product, the return rollup of distinct patients; for the
deferred panels, each patient's latest course per indication and those courses per
day, the daily wastage per product and lot, the per-score outcome totals and their
rollup; the patients registered per day) are written by the services in the
transaction of the rows they summarise (signing, discarding a vial, recording a score,
archiving a patient, registering one); this command makes them again from
the signed sessions, their injection points and vial draws (after a bulk load such as
bench/seed_reports.py, or a restore), printing its progress. Readers keep seeing the old
rows until it commits.

With --check nothing is written: the summaries are recomputed from the raw rows and
compared; the differences are printed and the exit status is 1 when there are any.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from treatments.services import rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboard's rollups from the raw rows (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="recompute and compare, print the differences, exit 1 if there are any",
        )
        parser.add_argument("--chunk-size", type=int, default=rollup_rebuild.CHUNK)
        parser.add_argument("--show", type=int, default=20, help="examples shown per kind")

    def handle(self, *args, check, chunk_size, show, **options):
        def say(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        if not check:
            made = rollup_rebuild.rebuild(progress=say, chunk=chunk_size)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rebuilt the rollups: {made['sessions']:,} signed sessions, "
                    f"{made['daily_rows']:,} daily rows, "
                    f"{made['return_rows']:,} return rollup rows, "
                    f"{made.get('latest_courses', 0):,} latest courses "
                    f"({made.get('course_days', 0):,} course days), "
                    f"{made.get('waste_rows', 0):,} wastage rows, "
                    f"{made.get('outcome_rows', 0):,} outcome rollup rows, "
                    f"{made.get('registration_days', 0):,} registration days."
                )
            )
            return
        found = rollup_rebuild.differences(limit=show, progress=say)
        wrong = 0
        for (table, direction), (count, examples) in found.items():
            if not count:
                continue
            wrong += count
            self.stderr.write(f"{table}: {count:,} rows {direction}; for example:")
            for row in examples:
                self.stderr.write(f"    {row}")
        if wrong:
            self.stderr.write(
                f"The rollups differ from the raw rows ({wrong:,} rows): "
                "run `manage.py rebuild_rollups`."
            )
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The rollups match the raw rows."))
