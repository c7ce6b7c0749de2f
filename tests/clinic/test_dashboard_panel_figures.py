"""The dashboard's deferred panels (re-treatment due, responder rates, vial wastage) read
summaries written by the services (issue 14.5): every figure here is checked against the
raw rows (SQL written independently of the selectors, with the date arithmetic in
Python), after late entries, an archived and restored patient, a changed responder
threshold, and `rebuild_rollups` (which must give the same rows, and `--check` agree).
"""

# ruff: noqa: S608 - the SQL is the test's own, with every value a parameter

import importlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from clinic.prepared import cursor_date
from clinic.reports import selectors
from clinic.reports.periods import Period
from clinic.reports.selectors import outcomes as outcome_reads
from clinic.roles import Role
from patients import services as patient_services
from tests.clinic.test_dashboard_figures import at, sql
from tests.clinic.test_dashboard_rollups import _check, _draft, _sign
from tests.conftest import client_for
from tests.factories import (
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from tests.treatments.session_helpers import backdate, save, start
from treatments import services
from treatments.models import (
    AnatomicalSite,
    DailyWasteRollup,
    Indication,
    OutcomeInstrument,
    OutcomeRollup,
    Product,
    SafetyParameter,
    SessionTotals,
    TreatmentSession,
    Vial,
    VialDraw,
)
from treatments.models.rollups import CHART_COMPLETION_HOURS


def _local_day(value) -> date:
    if isinstance(value, str):  # SQLite: the stored UTC text (or a naive UTC datetime)
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return timezone.localdate(value)


# Each table's columns compared before and after a rebuild (LatestCourse's was_* columns
# only serve the signing that wrote them; a rebuild leaves them empty).
SNAPSHOT = {
    "treatments_latestcourse": "patient_id, indication_id, session_id, performed_at, day, "
    "practitioner_id, product_id, patient_active",
    "treatments_dailycourserollup": "day, indication_id, product_id, practitioner_id, courses",
    "treatments_dailywasterollup": "*",
    "treatments_outcomescoretotals": "*",
    "treatments_outcomerollup": "*",
}


def _rows_snapshot():
    rows = {}
    for table, columns in SNAPSHOT.items():
        # A day a course moved out of keeps its row with 0 courses until a rebuild.
        where = " WHERE courses <> 0" if table == "treatments_dailycourserollup" else ""
        rows[table] = sorted(map(repr, sql(f"SELECT {columns} FROM {table}{where}")))
    return rows


def _rebuild_gives_the_same_rows():
    code, report = _check()
    assert code == 0, report
    before = _rows_snapshot()
    call_command("rebuild_rollups", stdout=StringIO())
    after = _rows_snapshot()
    # Row ids differ after a rebuild (the per-score table's key is the score's): compare
    # without them.
    for table in before:
        strip = (
            (lambda rows: sorted(r.split(", ", 1)[1] for r in rows))
            if SNAPSHOT[table] == "*" and table != "treatments_outcomescoretotals"
            else sorted
        )
        assert strip(before[table]) == strip(after[table]), table


# Re-treatment due -----------------------------------------------------------------------


def _latest_courses_from_sql() -> list[dict]:
    """Each active patient's latest signed session per indication (performed_at, then
    id), with its eligible day (UK day + the guideline's interval, else the
    indication's)."""
    rows = sql(
        "SELECT s.performed_at, s.product_id, s.indication_id, s.practitioner_id, "
        "p.record_number FROM treatments_treatmentsession s "
        "JOIN patients_patient p ON p.id = s.patient_id "
        "WHERE s.status = 'signed' AND p.status = 'active' AND NOT EXISTS ("
        " SELECT 1 FROM treatments_treatmentsession l WHERE l.patient_id = s.patient_id"
        " AND l.indication_id = s.indication_id AND l.status = 'signed'"
        " AND (l.performed_at > s.performed_at OR (l.performed_at = s.performed_at"
        " AND l.id > s.id)))"
    )
    guided = {
        (product, indication): days
        for product, indication, days in sql(
            "SELECT product_id, indication_id, min_interval_days FROM treatments_doseguideline "
            "WHERE min_interval_days IS NOT NULL ORDER BY id"
        )
    }
    default = dict(sql("SELECT id, min_interval_days FROM treatments_indication"))
    courses = []
    for performed_at, product_id, indication_id, who, record in rows:
        days = guided.get((product_id, indication_id), default[indication_id])
        courses.append(
            {
                "performed_at": _aware(performed_at),
                "day": _local_day(performed_at),
                "eligible": _local_day(performed_at) + timedelta(days=days),
                "product": product_id,
                "indication": indication_id,
                "practitioner": who,
                "record": record,
            }
        )
    return courses


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _retreatment_from_sql(today: date, practitioner_id: int | None = None) -> dict:
    overdue = due_soon = 0
    for course in _latest_courses_from_sql():
        if practitioner_id and course["practitioner"] != practitioner_id:
            continue
        if today - timedelta(days=30) <= course["eligible"] <= today - timedelta(days=1):
            overdue += 1
        elif today <= course["eligible"] <= today + timedelta(days=14):
            due_soon += 1
    return {"overdue": overdue, "due_soon": due_soon}


def _course_days_match_sql() -> None:
    """DailyCourseRollup (rows with courses) is the raw latest courses of active patients
    per UK day, indication, product and practitioner."""
    expected: dict[tuple, int] = {}
    for c in _latest_courses_from_sql():
        key = (c["day"], c["indication"], c["product"], c["practitioner"])
        expected[key] = expected.get(key, 0) + 1
    stored = {
        (cursor_date(day), indication, product, who): n
        for day, indication, product, who, n in sql(
            "SELECT day, indication_id, product_id, practitioner_id, courses "
            "FROM treatments_dailycourserollup WHERE courses <> 0"
        )
    }
    assert stored == expected


def _retreatment_shown(user, **filters) -> dict:
    today = timezone.localdate()
    scope = selectors.scope_for(
        user=user, period=Period(today - timedelta(days=30), today), **filters
    )
    counts = selectors.dashboard_panel(scope=scope, panel="retreatment")["retreatment"]
    return {"overdue": counts["overdue"], "due_soon": counts["due_soon"]}


RECALL_WINDOWS = ((-30, -1), (0, 14), (-30, 14), (-200, 60), (-5, -5))


def _recall_list_matches_the_sessions(manager, today: date) -> None:
    """The recall report's rows (from LatestCourse, in performed_at order) are the
    latest courses the raw sessions give for windows around today, in the same order;
    retreatment_due's two reads agree."""
    scope = selectors.scope_for(user=manager, period=Period(today, today))
    courses = _latest_courses_from_sql()
    for low, high in RECALL_WINDOWS:
        window = {
            "eligible_from": today + timedelta(days=low),
            "eligible_to": today + timedelta(days=high),
        }
        summary = selectors.retreatment_due(scope, **window)
        raw = selectors.retreatment_due(scope, **window, from_sessions=True)
        assert sorted(summary.values_list("id", flat=True)) == sorted(
            raw.values_list("id", flat=True)
        ), (low, high)
        due = sorted(
            (c for c in courses if low <= (c["eligible"] - today).days <= high),
            key=lambda c: (c["performed_at"], c["record"]),
        )
        shown = list(selectors.recall_rows(scope, **window))
        assert [(r["patient__record_number"], r["indication_id"]) for r in shown] == [
            (c["record"], c["indication"]) for c in due
        ], (low, high)
        # The report's first page (sorted by performed_at, cut to the page) is the start
        # of that list.
        first = selectors.recall_rows(scope, **window).order_by("performed_at")[:2]
        assert [r["performed_at"] for r in first] == [c["performed_at"] for c in due[:2]]


@pytest.mark.django_db
def test_retreatment_panel_matches_sql_with_late_entries_and_archiving(manager, practitioner):
    bob = UserFactory(username="bob", role=Role.PRACTITIONER)
    today = timezone.localdate()
    migraine = Indication.objects.get(slug="chronic-migraine")
    interval = migraine.min_interval_days or 84

    def day(days_ago: int, hour: int = 10) -> datetime:
        d = today - timedelta(days=days_ago)
        return at(d.year, d.month, d.day, hour)

    a, b, c, d, e = PatientFactory.create_batch(5)
    for patient in (a, b, c, d, e):
        QuestionnaireFactory(
            patient=patient, entered_by=practitioner, completed_on=today - timedelta(days=900)
        )
    # a: overdue; a late entry from long before, signed afterwards, changes nothing.
    _sign(_draft(a, practitioner, day(interval + 10)))
    _sign(_draft(a, practitioner, day(interval + 200)))
    # b: a recent session signed first, then a late entry that alone would be overdue.
    _sign(_draft(b, bob, day(20)))
    _sign(_draft(b, bob, day(interval + 5)))
    # c: due soon; then archived (out of the counts) and restored.
    _sign(_draft(c, practitioner, day(interval - 4)))
    # d: bob's, due soon, and a dystonia course eligible by its own interval.
    _sign(_draft(d, bob, day(interval - 9)))
    dystonia = save(
        start(d, bob, "cervical-dystonia", "botox"), bob,
        points=[{"site": AnatomicalSite.objects.order_by("id").first(), "side": "right",
                 "units": Decimal(50), "volume_ml": None, "points": 1}],
    )  # fmt: skip
    _sign(backdate(dystonia, day(interval - 2)))
    _course_days_match_sql()
    # e: overdue with the practitioner, then re-treated by bob (the course leaves its
    # overdue day and the practitioner's counts for bob's, due soon), then a back-dated
    # session of the practitioner's between the two (no move).
    _sign(_draft(e, practitioner, day(interval + 12)))
    overdue_then = _retreatment_from_sql(today, practitioner.pk)
    assert _retreatment_shown(practitioner) == overdue_then
    _sign(_draft(e, bob, day(interval - 6)))
    assert _retreatment_from_sql(today, practitioner.pk)["overdue"] == overdue_then["overdue"] - 1
    _sign(_draft(e, practitioner, day(interval + 3)))
    _course_days_match_sql()

    expected = _retreatment_from_sql(today)
    assert expected["overdue"] >= 1 and expected["due_soon"] >= 3
    assert _retreatment_shown(manager) == expected
    assert _retreatment_shown(manager, practitioner=bob) == _retreatment_from_sql(today, bob.pk)
    assert _retreatment_shown(practitioner) == _retreatment_from_sql(today, practitioner.pk)

    _recall_list_matches_the_sessions(manager, today)
    for patient in (c, e):
        patient.refresh_from_db(fields=["version"])
        patient_services.patient_archive(
            patient=patient,
            archived_by=manager,
            reason="Moved away",
            expected_version=patient.version,
        )
    _recall_list_matches_the_sessions(manager, today)
    _course_days_match_sql()
    archived = _retreatment_from_sql(today)
    assert archived["due_soon"] == expected["due_soon"] - 2
    assert _retreatment_shown(manager) == archived
    _rebuild_gives_the_same_rows()
    # Restored, then a later session for an archived-and-restored course.
    for patient in (c, e):
        patient.refresh_from_db(fields=["version"])
        patient_services.patient_restore(
            patient=patient, restored_by=manager, expected_version=patient.version
        )
    assert _retreatment_shown(manager) == expected == _retreatment_from_sql(today)
    _course_days_match_sql()
    _rebuild_gives_the_same_rows()
    _sign(_draft(c, bob, day(1)))
    _course_days_match_sql()
    assert _retreatment_shown(manager) == _retreatment_from_sql(today)
    _recall_list_matches_the_sessions(manager, today)
    _rebuild_gives_the_same_rows()


# Vial wastage ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_wastage_panel_matches_sql_after_discards(manager, practitioner):
    botox, dysport = Product.objects.get(slug="botox"), Product.objects.get(slug="dysport")
    vials = [
        VialFactory(product=botox, lot="W1", received_by=practitioner),
        VialFactory(product=botox, lot="W1", received_by=practitioner),
        VialFactory(product=botox, lot="W2", received_by=practitioner),
        VialFactory(product=dysport, lot="D1", presentation_units=500, received_by=practitioner),
    ]
    # Drawn before they were closed: a signed session's 40 U from the first W1 vial, and a
    # draft's planned 30 U from the second, which the draft later takes from another vial.
    signed = TreatmentSessionFactory(practitioner=practitioner, product=botox)
    draft = TreatmentSessionFactory(practitioner=practitioner, product=botox)
    VialDraw.objects.create(session=signed, vial=vials[0], units=40)
    VialDraw.objects.create(session=draft, vial=vials[1], units=30)
    TreatmentSession.objects.filter(pk=signed.pk).update(
        status="signed", signed_at=timezone.now(), signed_by=practitioner
    )
    for vial, wasted in zip(vials, ("10", "25.5", "100", "0"), strict=True):
        services.vial_discard(
            vial=vial,
            reason="End of session",
            wasted_units=Decimal(wasted),
            discarded_by=practitioner,
        )
    VialDraw.objects.filter(session=draft).delete()  # as a save with another vial does
    # A vial closed last year, written directly and rebuilt, is outside the period.
    VialFactory(
        product=botox, lot="W1", received_by=practitioner, wasted_units=50,
        discarded_at=timezone.now() - timedelta(days=400),
    )  # fmt: skip
    call_command("rebuild_rollups", stdout=StringIO())
    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today)
    scope = selectors.scope_for(user=manager, period=period)
    panel = selectors.dashboard_panel(scope=scope, panel="stock", whole_clinic=True)
    raw = sql(
        "SELECT p.brand, v.lot, COUNT(*), SUM(v.presentation_units), SUM(v.wasted_units) "
        "FROM treatments_vial v JOIN treatments_product p ON p.id = v.product_id "
        "WHERE v.discarded_at >= %s AND v.discarded_at < %s GROUP BY p.brand, v.lot",
        period.start_at,
        period.end_at,
    )
    by_lot = {(b, lot): (n, int(u), Decimal(str(w))) for b, lot, n, u, w in raw}
    assert by_lot == {
        ("BOTOX", "W1"): (2, 200, Decimal("35.5")),
        ("BOTOX", "W2"): (1, 100, Decimal(100)),
        ("Dysport", "D1"): (1, 500, Decimal(0)),
    }
    shown = {
        (r["product"], r["lot"]): (r["vials"], r["presentation"], r["wasted"])
        for r in panel["wastage_by_lot"]
    }
    assert shown == by_lot
    assert [r["lot"] for r in panel["wastage_by_lot"]] == ["W2", "W1", "D1"]  # most wasted first
    by_product = {}
    for (brand, _), (n, units, wasted) in by_lot.items():
        total = by_product.get(brand, (0, 0, Decimal(0)))
        by_product[brand] = (total[0] + n, total[1] + units, total[2] + wasted)
    assert {
        r["product"]: (r["vials"], r["presentation"], r["wasted"])
        for r in panel["wastage_by_product"]
    } == by_product
    # The units-and-wastage report, per product and lot, from the same rollup: the units
    # drawn as each vial was closed (the draft's 30 U with them), the earliest expiry.
    raw = sql(
        "SELECT p.brand, v.lot, COUNT(*), SUM(v.presentation_units), "
        "SUM(v.drawn_at_discard), SUM(v.wasted_units), MIN(v.expiry) "
        "FROM treatments_vial v JOIN treatments_product p ON p.id = v.product_id "
        "WHERE v.discarded_at >= %s AND v.discarded_at < %s GROUP BY p.brand, v.lot",
        period.start_at,
        period.end_at,
    )
    expected = {
        (b, lot): (n, int(u), Decimal(str(d)), Decimal(str(w)), cursor_date(e))
        for b, lot, n, u, d, w, e in raw
    }
    assert expected[("BOTOX", "W1")][2] == Decimal(70)  # 40 signed + 30 planned, then
    assert VialDraw.objects.filter(vial__lot="W1").aggregate(u=Sum("units"))["u"] == 40  # now
    rows = {
        (r["product__brand"], r["lot"]): (
            r["vials"], r["presentation"], r["drawn"], r["wasted"], r["expiry"]
        )
        for r in selectors.units_wastage_rows(scope)
    }  # fmt: skip
    assert rows == expected
    only_dysport = selectors.scope_for(user=manager, period=period, product=dysport)
    assert [r["lot"] for r in selectors.units_wastage_rows(only_dysport)] == ["D1"]
    # The vial's page says why its count differs from its draws now; the other's says
    # nothing more than its reconciliation.
    moved, kept = (
        client_for(manager).get(f"/vials/{v.pk}/").content.decode() for v in vials[1::-1]
    )
    assert (
        "When discarded, 30 U had been drawn from it; its draws have changed" in moved
        and "data-closing-count" not in kept
    )
    _rebuild_gives_the_same_rows()


# Responder rates ------------------------------------------------------------------------


def _responders_from_sql(
    period: Period, good: Decimal, partial: Decimal, *, per_instrument: bool = False
) -> dict:
    """Per indication (or per indication and instrument: the outcomes report): (series,
    good, partial) over each series' latest follow-up score as of the period's end, if in
    the period, against its baseline (latest marked baseline on or before it, else the
    series' first score); lower-is-better scales."""
    scores = sql(
        "SELECT a.id, a.patient_id, a.indication_id, a.instrument_id, a.value, a.assessed_on, "
        "a.is_baseline, i.name || CASE WHEN %s THEN ' / ' || n.name ELSE '' END "
        "FROM treatments_outcomeassessment a "
        "JOIN treatments_outcomeinstrument n ON n.id = a.instrument_id "
        "JOIN treatments_indication i ON i.id = a.indication_id "
        "WHERE n.direction = 'lower' AND n.per_muscle = %s ORDER BY a.assessed_on, a.id",
        per_instrument,
        False,
    )
    series: dict[tuple, list] = {}
    for pk, patient, indication, instrument, value, on, baseline, name in scores:
        on = on if isinstance(on, date) else date.fromisoformat(on)
        series.setdefault((patient, indication, instrument, name), []).append(
            (pk, Decimal(str(value)), on, bool(baseline))
        )
    result: dict[str, list] = {}
    for (_, _, _, name), rows in series.items():
        follow = [r for r in rows if not r[3] and r[2] <= period.end]
        if not follow or follow[-1][2] < period.start:
            continue
        latest = follow[-1]
        marked = [r for r in rows if r[3] and r[2] <= latest[2]]
        baseline = max(marked, key=lambda r: (r[2], r[0]))[1] if marked else rows[0][1]
        if not baseline:
            continue
        improvement = (baseline - latest[1]) * 100 / baseline
        counts = result.setdefault(name, [0, 0, 0])
        counts[0] += 1
        counts[1] += improvement >= good
        counts[2] += partial <= improvement < good
    return {name: tuple(c) for name, c in result.items()}


def _summaries(rollup: bool):
    """Responder rates read as usual (`rollup`), or from the raw scores only."""
    return mock.patch.object(
        outcome_reads,
        "responders_from_rollup",
        outcome_reads.responders_from_rollup if rollup else lambda s: False,
    )


def _responders_shown(manager, period: Period, *, rollup: bool = True, **filters) -> dict:
    scope = selectors.scope_for(user=manager, period=period, **filters)
    with _summaries(rollup):
        rows = selectors.dashboard_panel(scope=scope, panel="outcomes")["responders"]
    return {r["indication"]: (r["series"], r["good"], r["partial"]) for r in rows}, rows


def _report_shown(manager, period: Period, *, rollup: bool = True) -> tuple[dict, list, bool]:
    """The outcomes report's rows (per indication and instrument), and whether the
    summaries answered (not the raw scores)."""
    scope = selectors.scope_for(user=manager, period=period)
    answered = []
    summaries = outcome_reads._rollup_responders

    def spy(*args, **kwargs):
        rows = summaries(*args, **kwargs)
        answered.append(rows is not None)
        return rows

    with _summaries(rollup), mock.patch.object(outcome_reads, "_rollup_responders", spy):
        rows = selectors.outcome_responders(scope, per_instrument=True)
    shown = {
        f"{r['indication']} / {r['instrument']}": (r["series"], r["good"], r["partial"])
        for r in rows
    }
    return shown, rows, answered == [True]


@pytest.mark.django_db
def test_responder_panel_matches_sql_with_late_scores_and_baselines(manager, practitioner):
    today = timezone.localdate()
    migraine = Indication.objects.get(slug="chronic-migraine")
    days = OutcomeInstrument.objects.get(slug="headache-days")
    midas = OutcomeInstrument.objects.get(slug="midas")
    p1, p2, p3, p4 = PatientFactory.create_batch(4)

    def score(patient, value, ago, *, baseline=False, instrument=days):
        services.outcome_record(
            patient=patient, indication=migraine, instrument=instrument, value=Decimal(value),
            assessed_on=today - timedelta(days=ago), recorded_by=practitioner,
            is_baseline=baseline,
        )  # fmt: skip

    # p1: two follow-ups, then a late baseline before both, then a late follow-up between.
    score(p1, 15, 60)
    score(p1, 8, 10)
    score(p1, 20, 90, baseline=True)
    score(p1, 12, 30)
    # p2: a follow-up alone (its own baseline), then an earlier score becomes its first.
    score(p2, 13, 40)
    score(p2, 20, 50)
    # p3: a zero baseline (no improvement can be worked out): left out.
    score(p3, 0, 100, baseline=True)
    score(p3, 4, 20)
    # p4: a follow-up last year and one two days ago (the old one's next is far ahead).
    score(p4, 30, 420)
    score(p4, 10, 2)
    # A second measure of the same indication (the outcomes report shows it on its own
    # row): p1 improves by half, p2 by a fifth.
    score(p1, 60, 80, baseline=True, instrument=midas)
    score(p1, 30, 12, instrument=midas)
    score(p2, 50, 45, instrument=midas)
    score(p2, 40, 5, instrument=midas)
    thresholds = dict(
        SafetyParameter.objects.filter(
            key__in=["responder_good_percent", "responder_partial_percent"]
        ).values_list("key", "value")
    )
    good, partial = thresholds["responder_good_percent"], thresholds["responder_partial_percent"]
    periods = [
        Period(today - timedelta(days=364), today),
        Period(today - timedelta(days=30), today),
        Period(today - timedelta(days=70), today - timedelta(days=35)),
        Period(today - timedelta(days=59), today - timedelta(days=25)),
        Period(today - timedelta(days=450), today - timedelta(days=300)),
        Period(today - timedelta(days=900), today),  # longer than the rollup answers
    ]
    for period in periods:
        expected = _responders_from_sql(period, good, partial)
        shown, rows = _responders_shown(manager, period)
        assert shown == expected, period
        assert _responders_shown(manager, period, rollup=False)[1] == rows, period
        assert _responders_shown(manager, period, indication=migraine)[0] == expected, period
        # The outcomes report, per measure: from the summaries, as from the raw rows.
        by_measure = _responders_from_sql(period, good, partial, per_instrument=True)
        shown, rows, from_summaries = _report_shown(manager, period)
        assert shown == by_measure, period
        # Within the summaries' 400 days they answer (the last period is longer).
        assert from_summaries == (period != periods[-1]), period
        assert _report_shown(manager, period, rollup=False)[1] == rows, period
    # The last 30 days: on headache days p1 and p4 (p2's latest is older, p3 has no usable
    # baseline); on MIDAS p1 and p2. The panel counts the four together.
    last_30 = _responders_from_sql(periods[1], good, partial, per_instrument=True)
    assert {name.split(" / ")[1]: n for name, (n, _, _) in last_30.items()} == {
        "Headache days per month": 2,
        "MIDAS (Migraine Disability Assessment)": 2,
    }
    assert _responders_from_sql(periods[1], good, partial)["Chronic migraine prophylaxis"][0] == 4
    _rebuild_gives_the_same_rows()

    # The thresholds change: the rollup's counts no longer hold, so the raw rows answer
    # (and --check says so) until the rollups are rebuilt.
    SafetyParameter.objects.filter(key="responder_good_percent").update(value=Decimal("40"))
    for period in periods[:3]:
        assert _responders_shown(manager, period)[0] == _responders_from_sql(
            period, Decimal(40), partial
        )
        shown, _, from_summaries = _report_shown(manager, period)
        assert shown == _responders_from_sql(period, Decimal(40), partial, per_instrument=True)
        assert not from_summaries  # counted under the old thresholds: the raw scores answer
    assert _check()[0] == 1
    call_command("rebuild_rollups", stdout=StringIO())
    assert not OutcomeRollup.objects.filter(mixed=True).exists()
    for period in periods[:3]:
        assert _responders_shown(manager, period)[0] == _responders_from_sql(
            period, Decimal(40), partial
        )
        shown, _, from_summaries = _report_shown(manager, period)
        assert shown == _responders_from_sql(period, Decimal(40), partial, per_instrument=True)
        assert from_summaries
    # A score recorded under the new thresholds keeps the rollup current.
    score(p2, 6, 1)
    assert _responders_shown(manager, periods[1])[0] == _responders_from_sql(
        periods[1], Decimal(40), partial
    )
    shown, _, from_summaries = _report_shown(manager, periods[1])
    assert from_summaries
    assert shown == _responders_from_sql(periods[1], Decimal(40), partial, per_instrument=True)
    assert _check()[0] == 0


# Practitioner activity ------------------------------------------------------------------


def _signed(patient, who, performed_at, *indication_and_product):
    """A session signed through the services (the summaries written as in the clinic),
    screened the day before it was performed."""
    QuestionnaireFactory(
        patient=patient, entered_by=who,
        completed_on=timezone.localdate(performed_at) - timedelta(days=1),
    )  # fmt: skip
    return _sign(_draft(patient, who, performed_at, *indication_and_product))


def _activity_from_sessions(period: Period, **filters) -> dict:
    """Per (practitioner, product), from the signed sessions and their points (of the
    `filters`' practitioner, indication, product): sessions, distinct patients, units,
    signed late (more than CHART_COMPLETION_HOURS after being performed), without
    consent."""
    late_after = timedelta(hours=CHART_COMPLETION_HOURS)
    found: dict[tuple, list] = {}
    sessions = TreatmentSession.objects.filter(status="signed", **filters)
    for session in sessions.prefetch_related("points"):
        if not period.start <= timezone.localdate(session.performed_at) <= period.end:
            continue
        row = found.setdefault((session.practitioner_id, session.product_id), [0, set(), 0, 0, 0])
        row[0] += 1
        row[1].add(session.patient_id)
        row[2] += sum(point.units for point in session.points.all())
        row[3] += session.signed_at > session.performed_at + late_after
        row[4] += not session.consent_taken
    return {
        key: (n, len(patients), units, late, no)
        for key, (n, patients, units, late, no) in found.items()
    }


def _activity_shown(user, period: Period, **filters) -> dict:
    scope = selectors.scope_for(user=user, period=period, **filters)
    return {
        (r["practitioner_id"], r["product_id"]): (
            r["sessions"], r["patients"], r["units"], r["signed_late"], r["without_consent"]
        )
        for r in selectors.practitioner_activity_rows(scope)
    }  # fmt: skip


@pytest.mark.django_db
def test_practitioner_activity_matches_the_sessions_and_their_points(manager, practitioner):
    """The report reads the summaries signing writes (the daily rollup, the per-session
    totals): the same figures as the signed sessions and their points, for the clinic, one
    practitioner, indication or product, and a practitioner's own view."""
    bob = UserFactory(username="bob", first_name="Bob", last_name="Stone", role=Role.PRACTITIONER)
    now = timezone.now()
    today = timezone.localdate()
    a, b, c, d, e, f = PatientFactory.create_batch(6)

    def uk(day, hour, minute):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    # Each signed today: late when performed more than three days ago. a: twice by the
    # practitioner (the later one yesterday: on time), once by Bob; b: once by each, Bob's
    # a year and a half ago; c: glabellar lines with Azzalure, by the practitioner.
    _signed(a, practitioner, now - timedelta(days=200))
    _signed(a, practitioner, now - timedelta(days=1))
    _signed(a, bob, now - timedelta(days=60))
    _signed(b, bob, now - timedelta(days=540))
    _signed(b, practitioner, now - timedelta(days=30))
    PrescriberAssessmentFactory(
        patient=c, prescriber=practitioner, assessed_on=today - timedelta(days=12)
    )  # a cosmetic product's first treatment (rule 34)
    _signed(c, practitioner, now - timedelta(days=10), "glabellar-lines", "azzalure")
    # f: Botox too, for another indication (an indication filter leaves f's patient out).
    _signed(f, practitioner, now - timedelta(days=15), "hyperhidrosis-axillary", "botox")
    # The 30-day period's edges in UK time: d at 00:30 on its first day (in it), e at
    # 23:30 the day before (not); a draft of a's, not signed, counts nowhere.
    first = today - timedelta(days=29)
    _signed(d, bob, uk(first, 0, 30))
    _signed(e, bob, uk(first - timedelta(days=1), 23, 30))
    _draft(a, practitioner, now - timedelta(days=2))
    # g: a late entry, signed after a later session with the same practitioner and product
    # and, between them, one with the same practitioner and another product (the Botox
    # session's previous day moves into the 30-day period: g counts once there).
    g = PatientFactory()
    PrescriberAssessmentFactory(
        patient=g, prescriber=practitioner, assessed_on=today - timedelta(days=40)
    )
    _signed(g, practitioner, now - timedelta(days=8))
    _signed(g, practitioner, now - timedelta(days=14), "glabellar-lines", "azzalure")
    _signed(g, practitioner, now - timedelta(days=20))
    assert _check()[0] == 0  # the summaries' previous days, as the raw rows give them
    migraine = Indication.objects.get(slug="chronic-migraine")
    botox, azzalure = Product.objects.get(slug="botox"), Product.objects.get(slug="azzalure")
    periods = [
        Period(today - timedelta(days=364), today),
        Period(first, today),
        Period(today - timedelta(days=700), today - timedelta(days=100)),
    ]
    for period in periods:
        assert _activity_shown(manager, period) == _activity_from_sessions(period), period
        for name, value in (("indication", migraine), ("product", azzalure), ("practitioner", bob)):
            assert _activity_shown(manager, period, **{name: value}) == _activity_from_sessions(
                period, **{name: value}
            ), (period, name)
        # A practitioner sees their own rows, whoever they ask for.
        own = _activity_from_sessions(period, practitioner=practitioner)
        assert _activity_shown(practitioner, period) == own, period
        assert _activity_shown(practitioner, period, practitioner=bob) == own, period
    year = _activity_from_sessions(periods[0])
    assert year[practitioner.pk, botox.pk][:2] == (6, 4)  # a twice, b, f, g twice
    assert year[practitioner.pk, botox.pk][3] == 5  # signed late: all but yesterday's
    migraine_year = _activity_from_sessions(periods[0], indication=migraine)
    assert migraine_year[practitioner.pk, botox.pk][:2] == (5, 3)  # not f's
    assert _activity_from_sessions(periods[1])[practitioner.pk, botox.pk][:2] == (4, 3)
    assert year[practitioner.pk, azzalure.pk][:2] == (2, 2)  # c, g
    assert year[bob.pk, botox.pk][:2] == (3, 3)  # a, d, e; b's with Bob is older
    assert _activity_from_sessions(periods[1])[bob.pk, botox.pk][:2] == (1, 1)  # d, not e


@pytest.mark.django_db
def test_migration_0034_fills_the_previous_day_with_the_same_practitioner_and_product(
    practitioner, monkeypatch
):
    """The migration's backfill, in batches of patients (one patient each here), gives
    the days signing writes: a patient's previous session with the same practitioner and
    product."""
    migration = importlib.import_module(
        "treatments.migrations.0034_fill_sessiontotals_product_prev_day"
    )
    monkeypatch.setattr(migration, "PATIENTS_PER_BATCH", 1)
    now = timezone.now()
    first, second = PatientFactory.create_batch(2)
    for patient, days_ago in ((first, 90), (first, 40), (first, 41), (second, 30), (second, 20)):
        # first's last session a late entry, between its others
        _signed(patient, practitioner, now - timedelta(days=days_ago))
    written = dict(SessionTotals.objects.values_list("session_id", "product_prev_day"))
    assert sorted(day is None for day in written.values()) == [False, False, False, True, True]
    SessionTotals.objects.update(product_prev_day=None)
    migration.fill(None, SimpleNamespace(connection=connection))
    assert dict(SessionTotals.objects.values_list("session_id", "product_prev_day")) == written


@pytest.mark.django_db
def test_migration_0037_fills_the_closing_counts_and_the_wastage_days(practitioner, monkeypatch):
    """The backfill, in batches of one vial, gives each closed vial the units drawn from
    it and each wastage day (a UK day: 23:30 UTC in June is the next day in London) the
    sums and earliest expiry vial_discard now writes; a vial still open keeps no count."""
    migration = importlib.import_module("treatments.migrations.0037_fill_vial_drawn_at_discard")
    monkeypatch.setattr(migration, "VIALS_PER_BATCH", 1)
    botox = Product.objects.get(slug="botox")
    session = TreatmentSessionFactory(practitioner=practitioner, product=botox)
    for when, lot, drawn, expiry in (
        (datetime(2026, 6, 14, 23, 30, tzinfo=UTC), "M1", 40, date(2027, 1, 1)),
        (datetime(2026, 6, 15, 9, 0, tzinfo=UTC), "M1", 0, date(2026, 12, 1)),
        (datetime(2026, 3, 2, 10, 0, tzinfo=UTC), "M2", 25, date(2027, 3, 1)),
        # 23:30 UTC on 31/03 is 00:30 on 01/04 in London (summer time from 29/03).
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "M3", 5, date(2027, 4, 1)),
    ):
        # Received before any of these days (the factory's 30 days ago was on or after
        # M1's second expiry, 01/12/2026, from 31/12/2026: the database refused it).
        vial = VialFactory(
            product=botox,
            lot=lot,
            expiry=expiry,
            received_on=date(2026, 3, 1),
            received_by=practitioner,
        )
        if drawn:
            VialDraw.objects.create(session=session, vial=vial, units=drawn)
        services.vial_discard(
            vial=vial, reason="End of session", wasted_units=Decimal(10), discarded_by=practitioner
        )
        Vial.objects.filter(pk=vial.pk).update(discarded_at=when)
    call_command("rebuild_rollups", stdout=StringIO())

    def stored():
        return (
            dict(Vial.objects.values_list("pk", "drawn_at_discard")),
            sorted(
                DailyWasteRollup.objects.values_list(
                    "day", "lot", "vials", "presentation", "wasted", "drawn", "expiry"
                )
            ),
        )

    written = stored()
    assert written[1] == [
        (date(2026, 3, 2), "M2", 1, 100, Decimal(10), Decimal(25), date(2027, 3, 1)),
        (date(2026, 4, 1), "M3", 1, 100, Decimal(10), Decimal(5), date(2027, 4, 1)),
        (date(2026, 6, 15), "M1", 2, 200, Decimal(20), Decimal(40), date(2026, 12, 1)),
    ]
    assert sorted(map(str, written[0].values())) == ["0.00", "25.00", "40.00", "5.00", "None"]
    Vial.objects.update(drawn_at_discard=None)
    DailyWasteRollup.objects.update(drawn=0, expiry=None)
    migration.fill(None, SimpleNamespace(connection=connection))
    assert stored() == written


@pytest.mark.django_db
def test_a_vial_the_previous_release_discarded_is_reported_then_counted(practitioner):
    """During an upgrade the previous release still discards vials: it keeps no closing
    count on the vial and adds nothing to its day's drawn units, in a row it creates (the
    database's default, 0) or one this release made that day. `rebuild_rollups --check`
    reports both, and a vial with no draws whose day is right all the same; then
    `rebuild_rollups` gives each vial its draws as they stand and each day its sum."""
    botox = Product.objects.get(slug="botox")
    session = TreatmentSessionFactory(practitioner=practitioner, product=botox)
    expiry = timezone.localdate() + timedelta(days=200)

    def vial(lot, drawn):
        made = VialFactory(product=botox, lot=lot, expiry=expiry, received_by=practitioner)
        if drawn:
            VialDraw.objects.create(session=session, vial=made, units=drawn)
        return made

    # This release discards one vial of lot SAME (its day's row, 20 drawn, and the expiry).
    services.vial_discard(
        vial=vial("SAME", 20), reason="End", wasted_units=Decimal(80), discarded_by=practitioner
    )
    day = connection.ops.adapt_datefield_value(timezone.localdate())

    def discarded_by_the_previous_release(made, *, new_row: bool):
        Vial.objects.filter(pk=made.pk).update(
            discarded_at=timezone.now(), discarded_by=practitioner, discard_reason="End",
            wasted_units=65,
        )  # fmt: skip
        with connection.cursor() as cursor:
            if new_row:  # its INSERT names none of 0036's columns
                cursor.execute(
                    "INSERT INTO treatments_dailywasterollup (day, product_id, lot, vials, "
                    "presentation, wasted) VALUES (%s, %s, %s, 1, 100, 65)",
                    [day, botox.pk, made.lot],
                )
            else:  # its ON CONFLICT ... DO UPDATE
                cursor.execute(
                    "UPDATE treatments_dailywasterollup SET vials = vials + 1, "
                    "presentation = presentation + 100, wasted = wasted + 65 "
                    "WHERE day = %s AND product_id = %s AND lot = %s",
                    [day, botox.pk, made.lot],
                )

    old_new_row, old_same_day, old_no_draws = vial("OLD1", 35), vial("SAME", 15), vial("SAME", 0)
    discarded_by_the_previous_release(old_new_row, new_row=True)
    assert DailyWasteRollup.objects.get(lot="OLD1").drawn == 0
    code, report = _check()
    assert code != 0 and "wastage rollup: 1 rows missing" in report, report
    discarded_by_the_previous_release(old_same_day, new_row=False)
    assert DailyWasteRollup.objects.get(lot="SAME").drawn == 20  # the expiry is right
    code, report = _check()
    assert code != 0 and "wastage rollup: 2 rows missing" in report, report
    discarded_by_the_previous_release(old_no_draws, new_row=False)
    code, report = _check()  # its day's figures are right: 0 drawn is 0 drawn
    assert "vials' closing counts: 3 rows missing" in report, report
    call_command("rebuild_rollups", stdout=StringIO())
    counts = dict(
        Vial.objects.filter(lot__in=["OLD1", "SAME"]).values_list("pk", "drawn_at_discard")
    )
    assert [counts[v.pk] for v in (old_new_row, old_same_day, old_no_draws)] == [35, 15, 0]
    rows = {r.lot: (r.vials, r.drawn, r.expiry) for r in DailyWasteRollup.objects.all()}
    assert rows == {"OLD1": (1, 35, expiry), "SAME": (3, 35, expiry)}
    assert _check()[0] == 0


@pytest.mark.django_db
def test_migration_0037_survives_a_vial_discarded_between_a_fill_and_its_sums(
    practitioner, monkeypatch
):
    """A vial the previous release discards after a batch's vials were filled has no
    count when the batch's days are summed: its day gets 0 drawn (as its own row has),
    not a NULL that would stop the migration at its last statement."""
    migration = importlib.import_module("treatments.migrations.0037_fill_vial_drawn_at_discard")
    vial = VialFactory(product=Product.objects.get(slug="botox"), lot="LATE1")
    services.vial_discard(
        vial=vial, reason="End", wasted_units=Decimal(100), discarded_by=practitioner
    )
    Vial.objects.update(drawn_at_discard=None)
    DailyWasteRollup.objects.update(expiry=None)
    monkeypatch.setattr(migration, "FILL_VIALS", "SELECT %s + %s")  # filled before it
    migration.fill(None, SimpleNamespace(connection=connection))
    row = DailyWasteRollup.objects.get(lot="LATE1")
    assert (row.drawn, row.expiry) == (0, vial.expiry)
