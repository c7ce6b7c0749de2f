"""The dashboard's summaries (issue 14.5) against the raw rows: written by the services in
the signing transaction, checked and rebuilt by `rebuild_rollups`, distinct patients from
the return rollup, and the registrations per day."""

# ruff: noqa: S608 - the SQL is the test's own, with every value a parameter

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.periods import Period, add_months
from clinic.reports.selectors.sessions import session_summary
from clinic.roles import Role
from patients import services as patient_services
from patients.models import Patient
from tests.clinic.test_dashboard_figures import (  # the data set and its SQL helpers
    SIGNED_IN,
    at,
    board_for,
    clinic,  # noqa: F401 - a fixture
    one,
    sql,
)
from tests.factories import (
    PatientFactory,
    QuestionnaireFactory,
    UserFactory,
)
from tests.patients.test_idempotency import _person
from tests.treatments.session_helpers import backdate, save, start
from treatments import services

# The summaries kept by the services (issue 14.5): signing writes them in its transaction,
# a side effect reported afterwards moves its session's counts, and the check finds a
# row changed behind their back.


def _signed_through_services(practitioner, *, days_ago: int):
    patient = PatientFactory()
    QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=120),
    )
    session = save(start(patient, practitioner, "chronic-migraine", "botox"), practitioner)
    session = backdate(session, timezone.now() - timedelta(days=days_ago))
    return services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )


def _check() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("rebuild_rollups", "--check", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_sessions_over_time_has_every_month_of_the_period(clinic, manager, practitioner):  # noqa: F811
    """A month with no session is a 0 on the chart, not a line drawn across it."""
    _signed_through_services(practitioner, days_ago=1)
    today = timezone.localdate()
    period = Period(today - timedelta(days=364), today)
    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    months = [row["bucket"] for row in board.sessions_over_time]
    assert board.sessions_per == "month"
    # The month under way says so (its sessions so far would read as a fall).
    labels = [f"{m:%b %Y}" for m in months]
    labels[-1] += " (so far)"
    if period.start.day != 1:  # the first month counted from the period's first day
        labels[0] += f" (from {period.start:%d/%m})"
    assert [row["label"] for row in board.sessions_over_time] == labels
    assert months[0] == period.start.replace(day=1) and months[-1] == today.replace(day=1)
    assert all(add_months(a, 1) == b for a, b in pairwise(months))
    assert sum(row["sessions"] for row in board.sessions_over_time) == board.sessions.current
    assert board.sessions_over_time[-1]["sessions"] >= 1 or today.day == 1


@pytest.mark.django_db
def test_signing_writes_the_summaries_the_raw_rows_give(clinic, manager, practitioner):  # noqa: F811
    signed = _signed_through_services(practitioner, days_ago=1)
    code, report = _check()
    assert code == 0, report
    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today)
    bounds = (period.start_at, period.end_at)
    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    assert board.sessions.current == one(f"SELECT COUNT(*) {SIGNED_IN}", *bounds) >= 1
    active = f"SELECT COUNT(DISTINCT s.patient_id) {SIGNED_IN}"
    assert board.active_patients.current == one(active, *bounds)
    units = one(
        "SELECT SUM(pt.units) FROM treatments_injectionpoint pt WHERE pt.session_id = %s",
        signed.pk,
    )
    assert {r["product"]: r["units"] for r in board.units_by_product}["BOTOX"] == Decimal(
        str(units)
    )
    # A side effect reported against the signed session: its rate follows at once.
    services.side_effect_report_phoned(
        patient=signed.patient,
        logged_by=practitioner,
        description="Neck weakness",
        onset_date=today,
        reporter="patient",
    )
    code, report = _check()
    assert code == 0, report
    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    (migraine,) = [r for r in board.side_effects_by_indication if r["id"] == signed.indication_id]
    assert migraine["side_effects"] == 1


@pytest.mark.django_db
def test_check_finds_a_tampered_rollup_and_rebuild_mends_it(clinic, manager):  # noqa: F811
    assert _check()[0] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE treatments_dailysessionrollup SET sessions = sessions + 1 WHERE id = "
            "(SELECT MIN(id) FROM treatments_dailysessionrollup)"
        )
        cursor.execute(
            "DELETE FROM treatments_sessiontotals WHERE session_id = "
            "(SELECT MAX(session_id) FROM treatments_sessiontotals)"
        )
    code, report = _check()
    assert code == 1
    assert "daily rollup: 1 rows missing or different" in report
    assert "session totals: 1 rows missing or different" in report
    call_command("rebuild_rollups", stdout=StringIO())
    assert _check()[0] == 0
    assert board_for(manager).sessions.current == 3


# Distinct patients from the return rollup (issue 14.5): each signed session keeps the
# day of the patient's previous one (clinic-wide and with its practitioner). Late entries
# (signed after sessions that come later in the record) move the next session's previous
# day; every count is checked against COUNT(DISTINCT) over the raw rows.


def _draft(patient, who, performed_at, indication="chronic-migraine", product="botox"):
    return backdate(save(start(patient, who, indication, product), who), performed_at)


def _sign(session):
    """Sign, giving a reason for any override the safety checks ask for (an interval
    shorter than the guideline's, between these invented sessions)."""
    try:
        return services.session_sign(
            session=session, signed_by=session.practitioner, override_reasons={},
            acknowledge_warnings=True,
        )  # fmt: skip
    except services.SigningRefused as refused:
        assert not refused.blocks, refused
        reasons = {f.code: "Test data" for f in refused.missing_reasons}
    return services.session_sign(
        session=session, signed_by=session.practitioner, override_reasons=reasons,
        acknowledge_warnings=True,
    )  # fmt: skip


def _distinct_patients_match_sql(manager, practitioner, bob, period: Period) -> None:
    bounds = (period.start_at, period.end_at)
    active = f"SELECT COUNT(DISTINCT s.patient_id) {SIGNED_IN}"
    new = (
        f"SELECT COUNT(DISTINCT s.patient_id) {SIGNED_IN} AND NOT EXISTS (SELECT 1 FROM "
        "treatments_treatmentsession e WHERE e.patient_id = s.patient_id "
        "AND e.status = 'signed' AND e.performed_at < %s)"
    )
    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    label = f"{period.start}..{period.end}"
    assert board.active_patients.current == one(active, *bounds), label
    previous = period.compared()
    assert board.active_patients.previous == one(active, previous.start_at, previous.end_at)
    assert board.new_patients.current == one(new, *bounds, period.start_at), label
    per = dict(
        sql(
            f"SELECT s.practitioner_id, COUNT(DISTINCT s.patient_id) {SIGNED_IN} "
            "GROUP BY s.practitioner_id",
            *bounds,
        )
    )
    shown = {r["practitioner_id"]: r["patients"] for r in board.sessions_by_practitioner}
    assert {k: v for k, v in shown.items() if v} == per, label
    for who in (practitioner, bob):
        own = selectors.dashboard(
            scope=selectors.scope_for(user=manager, period=period, practitioner=who),
            whole_clinic=True,
        )
        mine = f"{active} AND s.practitioner_id = %s"
        assert own.active_patients.current == one(mine, *bounds, who.pk), (label, who)
        mine_new = f"{new} AND s.practitioner_id = %s"
        assert own.new_patients.current == one(mine_new, *bounds, period.start_at, who.pk)


@pytest.mark.django_db
def test_distinct_patients_with_late_entries_and_two_practitioners(manager, practitioner):
    bob = UserFactory(username="bob", role=Role.PRACTITIONER)
    today = timezone.localdate()

    def day(days_ago: int, hour: int = 10) -> datetime:
        d = today - timedelta(days=days_ago)
        return at(d.year, d.month, d.day, hour)

    a, b, c, d = PatientFactory.create_batch(4)
    for patient in (a, b, c, d):
        QuestionnaireFactory(
            patient=patient, entered_by=practitioner, completed_on=today - timedelta(days=900)
        )
    # a: signed out of order, between both practitioners.
    for who, ago in ((practitioner, 200), (bob, 100), (practitioner, 300), (bob, 40)):
        _sign(_draft(a, who, day(ago)))
    _sign(_draft(a, practitioner, day(150)))
    # b: bob this month, then a late entry 13 months ago, then amelia the same day as bob.
    _sign(_draft(b, bob, day(10)))
    _sign(_draft(b, bob, day(370)))
    _sign(_draft(b, practitioner, day(10, 15)))
    # c: two drafts of one day signed in the reverse order of their ids, then a late
    # entry long before (more than the rollup's horizon).
    first, second = _draft(c, practitioner, day(50, 9)), _draft(c, practitioner, day(50, 11))
    _sign(second)
    _sign(first)
    _sign(_draft(c, bob, day(800)))
    # d: new this week.
    _sign(_draft(d, practitioner, day(5)))

    code, report = _check()
    assert code == 0, report
    periods = [
        Period(today - timedelta(days=364), today),  # "Last 12 months"
        Period(today - timedelta(days=30), today),
        Period(today - timedelta(days=120), today - timedelta(days=45)),
        Period(today - timedelta(days=330), today - timedelta(days=160)),
        Period(today - timedelta(days=900), today),  # longer than the rollup answers
    ]
    for period in periods:
        _distinct_patients_match_sql(manager, practitioner, bob, period)
    # The rebuild gives the same rows as signing did.
    before = sql("SELECT scope, day, prev_month, sessions FROM treatments_patientreturnrollup")
    call_command("rebuild_rollups", stdout=StringIO())
    after = sql("SELECT scope, day, prev_month, sessions FROM treatments_patientreturnrollup")
    assert sorted(before) == sorted(after)
    assert _check()[0] == 0


# Registrations per day (issue 14.5): the "registered" tile sums patients.models.
# DailyRegistrations, written with each patient row; checked against COUNT over the
# patients' created_at, with registrations back-dated, either side of UK midnight (BST),
# archived, written in bulk and then rebuilt.


def _registered_from_sql(period: Period) -> dict:
    previous = period.compared()
    count = "SELECT COUNT(*) FROM patients_patient WHERE created_at >= %s AND created_at < %s"
    return {
        "current": one(count, period.start_at, period.end_at),
        "previous": one(count, previous.start_at, previous.end_at),
    }


def _registered_shown(manager, period: Period) -> dict:
    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    shown = board.registered_patients
    return {"current": shown.current, "previous": shown.previous}


@pytest.mark.django_db
def test_registered_patients_match_sql(manager, reception):
    today = timezone.localdate()
    # Through the service, the factory (the admin's and the imports' way: a save), and
    # back-dated: the last minutes of 31 May and the first of 1 June in UK time (23:30
    # and 00:30 BST are 22:30 and 23:30 UTC on 31 May), a year ago, and two years ago.
    patient_services.patient_register(
        registered_by=reception,
        **_person(family_name="Quenby", date_of_birth=date(1980, 4, 2)),
    )
    PatientFactory.create_batch(2, registered_by=reception)
    for when in (
        at(2026, 5, 31, 23, 30), at(2026, 6, 1, 0, 30), at(2026, 6, 1, 0, 30),
        timezone.now() - timedelta(days=365), timezone.now() - timedelta(days=800),
    ):  # fmt: skip
        PatientFactory(registered_by=reception, created_at=when)
    archived = PatientFactory(registered_by=reception)
    patient_services.patient_archive(
        patient=archived, archived_by=manager, reason="Moved away", expected_version=1
    )
    periods = [
        Period(date(2026, 5, 1), date(2026, 5, 31)),  # its previous: April
        Period(date(2026, 6, 1), date(2026, 6, 30)),
        Period(date(2026, 5, 31), date(2026, 5, 31)),
        Period(today - timedelta(days=364), today),
        Period(today - timedelta(days=29), today),
    ]
    for period in periods:
        assert _registered_shown(manager, period) == _registered_from_sql(period), period
    assert _registered_shown(manager, periods[1])["current"] == 2
    assert _registered_shown(manager, periods[2])["current"] == 1
    assert _registered_shown(manager, periods[3])["previous"] >= 1  # a year ago
    assert _check()[0] == 0

    # A bulk load (bulk_create, COPY: no post_save) is counted once the rollups are
    # rebuilt, which --check asks for; a deleted row (never in the app) comes off.
    Patient.objects.bulk_create([PatientFactory.build(created_at=at(2026, 6, 2, 9))])
    code, report = _check()
    assert code == 1 and "registrations per day: 1 rows missing or different" in report
    call_command("rebuild_rollups", stdout=StringIO())
    assert _check()[0] == 0
    PatientFactory(registered_by=reception, created_at=at(2026, 6, 3, 9)).delete()
    for period in periods:
        assert _registered_shown(manager, period) == _registered_from_sql(period), period
    assert _registered_shown(manager, periods[1])["current"] == 3
    assert _check()[0] == 0


@pytest.mark.django_db
def test_a_practitioner_who_treated_only_between_the_compared_days_is_not_listed(
    practitioner,
):
    """A period under way is compared with the first days of the one before
    (Period.compared); the days between them belong to neither, so someone who treated
    only then was listed with 0 and 0 (review 05/12)."""
    today = timezone.localdate()
    period = Period(today - timedelta(days=2), today + timedelta(days=10))
    compared = period.compared()
    assert compared.end + timedelta(days=3) < period.start  # days in between
    bob = UserFactory(username="bob", role=Role.PRACTITIONER)
    _signed_through_services(bob, days_ago=(today - (compared.end + timedelta(days=2))).days)
    _signed_through_services(practitioner, days_ago=0)
    summary = session_summary(selectors.Scope(period))
    listed = {row["practitioner_id"] for row in summary["by_practitioner"]}
    assert listed == {practitioner.pk}
