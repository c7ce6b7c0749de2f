"""Seed a large clinic's treatment history on PostgreSQL for the report benchmark.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_reports.py --sessions 500000

Expects the patients to exist already (`manage.py seed_demo --patients 100000
--no-sessions` makes them, with the demo logins). Adds, over the last three years:
sessions (about 60% of patients treated, each on a licensed product and indication, by
one of six practitioners), 3-8 injection points each, a vial per session (its lot from a
monthly lot calendar per product, closed after the session with the rest wasted) and its
draw, follow-ups, side effects (about 3% of sessions, a few serious and undecided), and
outcome scores (a baseline per patient and indication, then one after most sessions).
Then the dashboard's rollups are rebuilt from those rows (treatments.services.rollup_rebuild).

Fast: rows go through PostgreSQL COPY (psycopg 3; clinic.demo.bulk_copy.CopyStream, as
the demo seed's patients do) in one stream per table, ids assigned here, sequences moved
on at the end; progress is printed. The rollups are rebuilt set-based (INSERT ... SELECT
... GROUP BY over the loaded rows, no per-session Python). Fixed random seed. Not part
of the test suite; bench/reports_latency.py measures the pages on the result.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.demo.bulk_copy import CopyStream  # noqa: E402
from clinic.roles import Role  # noqa: E402
from patients.models import Patient  # noqa: E402
from treatments.choices import InstrumentDirection  # noqa: E402
from treatments.models import (  # noqa: E402
    AnatomicalSite,
    DoseGuideline,
    FollowUp,
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    SideEffect,
    SideEffectTerm,
    TreatmentSession,
    Vial,
    VialDraw,
)
from treatments.services import rollup_rebuild  # noqa: E402

YEARS = 3
TREATED_SHARE = 0.6
D = Decimal


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def practitioners():
    group = Group.objects.get(name=Role.PRACTITIONER.value)
    users = list(get_user_model().objects.filter(groups=group).order_by("id"))
    user_model = get_user_model()
    for n in range(len(users), 6):
        user, _ = user_model.objects.get_or_create(
            username=f"bench-practitioner-{n}",
            defaults={"first_name": "Bench", "last_name": f"Practitioner {n}"},
        )
        user.groups.add(group)
        users.append(user)
    return users[:6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument(
        "--no-rollups",
        action="store_true",
        help="leave the rollups to a later `manage.py rebuild_rollups`",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/seed_reports.py needs PostgreSQL (COPY)")
    rng = random.Random(args.seed)
    started = time.monotonic()

    patient_ids = list(Patient.objects.order_by("id").values_list("id", flat=True))
    if not patient_ids:
        sys.exit("No patients: run `manage.py seed_demo --patients 100000 --no-sessions` first")
    treated = rng.sample(patient_ids, max(1, int(len(patient_ids) * TREATED_SHARE)))
    staff = practitioners()
    reception = get_user_model().objects.get(username="reception")
    pairs = list(
        DoseGuideline.objects.filter(licensed_uk=True, product__on_formulary=True)
        .select_related("product", "indication")
        .order_by("id")
    )
    if not pairs:
        sys.exit("No licensed dose guidelines: migrate first")
    sites = list(AnatomicalSite.objects.order_by("id").values_list("id", flat=True))[:40]
    terms = list(SideEffectTerm.objects.order_by("id").values_list("id", flat=True))
    instruments = {}
    for indication in Indication.objects.prefetch_related("outcome_instruments"):
        usable = [
            i
            for i in indication.outcome_instruments.all()
            if i.direction == InstrumentDirection.LOWER_IS_BETTER and not i.per_muscle
        ]
        if usable:
            instruments[indication.pk] = usable[0]

    now = timezone.now()
    first_day = now - timedelta(days=365 * YEARS)
    span = (now - first_day).total_seconds()
    # Each patient keeps one plan (a product for an indication) and comes back at about
    # its interval; sessions are drawn per patient so histories look like histories.
    per_patient = max(1, args.sessions // len(treated))
    extra = args.sessions - per_patient * len(treated)

    ids = {
        model: next_id(model)
        for model in (TreatmentSession, Vial, VialDraw, InjectionPoint, SideEffect, FollowUp)
    }
    ids[OutcomeAssessment] = next_id(OutcomeAssessment)
    ids_start = dict(ids)
    first_session, first_vial = ids[TreatmentSession], ids[Vial]

    made = {"sessions": 0}
    # Generate everything first (compact tuples), then COPY table by table in FK order.
    # Points and draws are derived from the session rows while loading (less memory).
    vials, sessions, effects, follow_ups, scores = [], [], [], [], []
    for index, patient_id in enumerate(treated):
        count = per_patient + (1 if index < extra else 0)
        guideline = pairs[rng.randrange(len(pairs))]
        product, indication = guideline.product, guideline.indication
        practitioner = staff[rng.randrange(len(staff))]
        interval = guideline.min_interval_days or indication.min_interval_days or 90
        gap = max(interval, int(span / 86400 / max(count, 1)))
        start = first_day + timedelta(seconds=rng.random() * max(1, span - gap * 86400 * count))
        instrument = instruments.get(indication.pk)
        baseline = None
        if instrument is not None:
            low = float(instrument.min_value or 0)
            high = float(instrument.max_value or 30)
            baseline = D(str(round(low + (high - low) * rng.uniform(0.55, 0.9))))
            if baseline > 0:
                scores.append(
                    (patient_id, indication.pk, instrument.pk, baseline,
                     timezone.localdate(start) - timedelta(days=10), None, True, practitioner.pk)
                )  # fmt: skip
        when = start
        for _ in range(count):
            when = when + timedelta(days=gap + rng.randint(0, 21), minutes=rng.randint(0, 600))
            if when > now:
                when = now - timedelta(hours=rng.randint(1, 24 * 300))
            session_id = ids[TreatmentSession]
            ids[TreatmentSession] += 1
            vial_id = ids[Vial]
            ids[Vial] += 1
            n_points = rng.randint(3, 8)
            per_point = D(rng.choice((2, 4, 5, 10, 25, 50)))
            total = per_point * n_points
            presentation = next(
                (p for p in sorted(product.presentations or [100]) if p >= total),
                max(product.presentations or [100]),
            )
            if total > presentation:
                per_point = D(presentation // n_points)
                total = per_point * n_points
            month = timezone.localdate(when)
            lot = f"{product.slug[:2].upper()}{month:%y%m}{rng.randint(1, 3)}"
            draft = rng.random() < 0.004
            late = rng.random() < 0.02
            signed_at = None if draft else when + timedelta(hours=96 if late else 1)
            vials.append(
                (vial_id, product.pk, presentation, lot, month - timedelta(days=20),
                 month + timedelta(days=340), when, practitioner.pk,
                 None if draft else when + timedelta(hours=2), D(presentation) - total)
            )  # fmt: skip
            sessions.append(
                (session_id, patient_id, practitioner.pk, indication.pk, product.pk, vial_id,
                 when, rng.random() > 0.01, draft, signed_at, n_points, per_point)
            )  # fmt: skip
            if rng.random() < 0.03:
                serious = rng.random() < 0.05
                decided = not serious or rng.random() < 0.7
                effects.append(
                    (ids[SideEffect], patient_id, session_id, terms[rng.randrange(len(terms))],
                     timezone.localdate(when) + timedelta(days=rng.randint(1, 14)), serious,
                     decided, practitioner.pk)
                )  # fmt: skip
                ids[SideEffect] += 1
            if rng.random() < 0.2:
                due = timezone.localdate(when) + timedelta(days=14)
                follow_ups.append(
                    (ids[FollowUp], patient_id, session_id, due,
                     when + timedelta(days=15) if when < now - timedelta(days=30) else None,
                     practitioner.pk)
                )  # fmt: skip
                ids[FollowUp] += 1
            if baseline and rng.random() < 0.7:
                on = timezone.localdate(when) + timedelta(days=rng.randint(24, 35))
                if on <= timezone.localdate(now):
                    value = (baseline * D(str(round(1 - rng.uniform(0, 0.7), 3)))).quantize(D(1))
                    scores.append(
                        (patient_id, indication.pk, instrument.pk, value, on, session_id, False,
                         practitioner.pk)
                    )  # fmt: skip
            made["sessions"] += 1
        if index % 100_000 == 0:
            print(f"  planned {made['sessions']:>9,} sessions", flush=True)
    # A clinic's rows arrive in time order (ids, and so heap pages, follow the dates);
    # the plan above went patient by patient, so renumber sessions and their vials by
    # date, and load the other tables in date order too.
    order = sorted(range(len(sessions)), key=lambda i: sessions[i][6])
    session_ids = {sessions[i][0]: first_session + rank for rank, i in enumerate(order)}
    vial_ids = {sessions[i][5]: first_vial + rank for rank, i in enumerate(order)}
    sessions = [
        (session_ids[r[0]], *r[1:5], vial_ids[r[5]], *r[6:]) for r in (sessions[i] for i in order)
    ]
    vials = [(vial_ids[r[0]], *r[1:]) for r in (vials[i] for i in order)]
    # Each vial's number within its lot (unique per product and lot), in date order.
    in_lot: dict[tuple, int] = {}
    for n, r in enumerate(vials):
        key = (r[1], r[3])
        in_lot[key] = in_lot.get(key, 0) + 1
        vials[n] = (*r, in_lot[key])
    effects = sorted(((*r[:2], session_ids[r[2]], *r[3:]) for r in effects), key=lambda r: r[4])
    follow_ups = sorted(
        ((*r[:2], session_ids[r[2]], *r[3:]) for r in follow_ups), key=lambda r: r[3]
    )
    scores = sorted(((*r[:5], session_ids.get(r[5]), *r[6:]) for r in scores), key=lambda r: r[4])
    effects = [(ids_start[SideEffect] + n, *r[1:]) for n, r in enumerate(effects)]
    follow_ups = [(ids_start[FollowUp] + n, *r[1:]) for n, r in enumerate(follow_ups)]
    print(f"Planned in {time.monotonic() - started:.0f}s; loading with COPY...", flush=True)

    def load(model, rows, to_dict):
        t0 = time.monotonic()
        with (
            connection.cursor() as django_cursor,
            CopyStream(django_cursor.cursor, model, now=now) as stream,
        ):
            for row in rows:
                stream.write(to_dict(row))
                if stream.rows % 1_000_000 == 0:
                    rate = stream.rows / max(time.monotonic() - t0, 1e-6)
                    print(f"  {model.__name__:<20} {stream.rows:>10,} rows ({rate:,.0f}/s)")
        reset_sequence(model)
        print(f"  {model.__name__:<20} {stream.rows:>10,} rows in {time.monotonic() - t0:.0f}s")

    load(
        Vial,
        vials,
        lambda r: {
            "id": r[0], "product_id": r[1], "presentation_units": r[2], "lot": r[3],
            "received_on": r[4], "expiry": r[5], "received_by_id": reception.pk,
            "reconstituted_at": r[6] - timedelta(minutes=30), "diluent_ml": D("2.00"),
            "reconstituted_by_id": r[7], "use_by": r[6] + timedelta(hours=23),
            "discarded_at": r[8], "discarded_by_id": r[7] if r[8] else None,
            "discard_reason": "End of session" if r[8] else "",
            "wasted_units": r[9] if r[8] else D(0), "lot_sequence": r[10],
            # Closed after its one session: what that session drew (the rest was wasted).
            "drawn_at_discard": D(r[2]) - r[9] if r[8] else None,
            "version": 1, "created_at": r[6], "updated_at": r[6],
        },
    )  # fmt: skip
    load(
        TreatmentSession,
        sessions,
        lambda r: {
            "id": r[0], "public_id": uuid.uuid4(), "patient_id": r[1], "practitioner_id": r[2],
            "indication_id": r[3], "product_id": r[4], "vial_id": r[5], "performed_at": r[6],
            "screening_reviewed": True, "consent_taken": r[7], "spread_advice_given": True,
            "status": "draft" if r[8] else "signed", "signed_at": r[9],
            "signed_by_id": None if r[8] else r[2], "version": 1, "created_at": r[6],
            "updated_at": r[9] or r[6],
        },
    )  # fmt: skip
    first_draw = ids[VialDraw]
    load(
        VialDraw,
        ((first_draw + n, r) for n, r in enumerate(sessions)),
        lambda x: {
            "id": x[0], "session_id": x[1][0], "vial_id": x[1][5], "units": x[1][10] * x[1][11],
        },
    )  # fmt: skip

    def point_rows():
        point_id = ids[InjectionPoint]
        for r in sessions:
            for order in range(r[10]):
                yield {
                    "id": point_id, "session_id": r[0], "order": order,
                    "site_id": sites[rng.randrange(len(sites))],
                    "side": "left" if order % 2 else "right", "units": r[11],
                    "volume_ml": None, "points": 1,
                }  # fmt: skip
                point_id += 1

    load(InjectionPoint, point_rows(), lambda row: row)
    load(
        SideEffect,
        effects,
        lambda r: {
            "id": r[0], "public_id": uuid.uuid4(), "patient_id": r[1], "session_id": r[2],
            "term_id": r[3], "description": "Reported at the review call", "onset_date": r[4],
            "severity": 3 if r[5] else 1, "serious_medically_important": r[5],
            "is_serious": r[5], "outcome": "recovering", "causality": "possible",
            "action_taken": "none", "reporter": "patient", "status": "reviewed",
            "logged_by_id": r[7], "reviewed_by_id": r[7],
            "reviewed_at": datetime.combine(r[4], datetime.min.time(), tzinfo=now.tzinfo),
            "regulator_decision": "" if not r[6] else "not-reported",
            "not_reported_reason": "" if not r[6] else "Known, non-serious reaction",
            "version": 1, "created_at": now, "updated_at": now,
        },
    )  # fmt: skip
    load(
        FollowUp,
        follow_ups,
        lambda r: {
            "id": r[0], "patient_id": r[1], "session_id": r[2], "kind": "review-call",
            "title": "Review call", "due_on": r[3], "done_at": r[4],
            "done_by_id": r[5] if r[4] else None, "created_at": now, "updated_at": now,
        },
    )  # fmt: skip
    next_score = ids[OutcomeAssessment]

    def score_row(r):
        nonlocal next_score
        next_score += 1
        return {
            "id": next_score - 1, "patient_id": r[0], "indication_id": r[1],
            "instrument_id": r[2], "value": r[3], "assessed_on": r[4], "session_id": r[5],
            "is_baseline": r[6], "recorded_by_id": r[7], "created_at": now, "updated_at": now,
        }  # fmt: skip

    load(OutcomeAssessment, scores, score_row)
    # Statistics of the rows just loaded before anything joins them: with a new cluster's
    # empty-table estimates the rollups' first chunk ran for minutes (05/12/2026), where
    # it takes seconds once autovacuum has analysed the tables.
    with connection.cursor() as cursor:
        for model in (TreatmentSession, InjectionPoint, Vial, VialDraw, FollowUp, SideEffect):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    # The dashboard's summaries (issue 14.5) from the rows just loaded, set-based in
    # chunks of session ids, as `manage.py rebuild_rollups` does.
    if not args.no_rollups:
        t0 = time.monotonic()
        print("Rebuilding the rollups...", flush=True)
        rollup_rebuild.rebuild(progress=lambda line: print(line, flush=True))
        print(f"  rollups in {time.monotonic() - t0:.0f}s")
    print(f"Seeded {made['sessions']:,} sessions in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
