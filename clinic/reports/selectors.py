"""Reads behind the dashboard and the reports. Every figure is computed by the database
(aggregates with conditional filters), never by a Python loop over rows, and each tile is
one query whatever the size of the clinic.

Who sees what (DOMAIN §7.3): a user with `reports.view_clinic_reports` (managers) sees
the whole clinic, aggregated or pseudonymised; anyone else (practitioners) sees their own
figures only: `scope_for` pins the practitioner to the user, whatever the request asked.

Units are summed per product (and so within one unit family), never across products or
families (DOMAIN §1.2).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Substr, TruncMonth, TruncWeek, Upper
from django.utils import timezone

from clinic.reports.periods import Period, local_midnight
from patients.choices import PatientStatus
from patients.models import IntakeQuestionnaire, Patient
from treatments.choices import InstrumentDirection, SessionStatus, UnitFamily
from treatments.models import (
    DoseGuideline,
    FollowUp,
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    SafetyParameter,
    SideEffect,
    TreatmentSession,
    Vial,
    VialDraw,
)
from treatments.selectors import RESPONDER_GOOD, RESPONDER_PARTIAL

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))

# Chart compliance: a session still unsigned this long after it was performed, or signed
# later than this, is flagged. A records-keeping expectation set by the clinic (issue 5:
# "unsigned sessions older than 72 hours"), not a clinical threshold from DOMAIN.md, so
# it is a named setting here rather than a SafetyParameter row.
CHART_COMPLETION_HOURS = 72

# Recall windows (operational, not clinical): "due" = eligible for re-treatment within
# the next RECALL_LOOKAHEAD_DAYS; "overdue" = eligible for up to RECALL_LAPSE_DAYS
# already and not treated since. Patients eligible for longer are treated as lapsed and
# drop off the dashboard (the recall report can still be widened by its dates).
RECALL_LOOKAHEAD_DAYS = 14
RECALL_LAPSE_DAYS = 30

# Follow-ups "due soon" on the dashboard: the next week.
FOLLOW_UP_SOON_DAYS = 7

# Side-effect worklists: open governance work whatever the onset date (DOMAIN §10 rule 39).
SIDE_EFFECT_WORKLISTS = {
    "serious-pending": Q(is_serious=True, regulator_decision=""),
    "unreviewed": Q(status="unreviewed"),
}


# Scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a page is about: the period and the optional practitioner, indication and
    product. `own_only` marks a practitioner's own figures (not a choice they made)."""

    period: Period
    practitioner_id: int | None = None
    indication_id: int | None = None
    product_id: int | None = None
    own_only: bool = False

    @property
    def previous(self) -> Scope:
        return Scope(
            self.period.previous(),
            self.practitioner_id,
            self.indication_id,
            self.product_id,
            self.own_only,
        )


def sees_whole_clinic(user) -> bool:
    return user.has_perm("reports.view_clinic_reports")


def scope_for(*, user, period: Period, practitioner=None, indication=None, product=None) -> Scope:
    """The scope a user may see. Without the clinic-wide permission the practitioner is
    always the user themselves (a chosen practitioner is ignored)."""
    if sees_whole_clinic(user):
        practitioner_id = practitioner.pk if practitioner is not None else None
        own_only = False
    else:
        practitioner_id, own_only = user.pk, True
    return Scope(
        period=period,
        practitioner_id=practitioner_id,
        indication_id=indication.pk if indication is not None else None,
        product_id=product.pk if product is not None else None,
        own_only=own_only,
    )


def session_q(scope: Scope, prefix: str = "") -> Q:
    """The practitioner / indication / product part of a scope, for sessions reached
    through `prefix` (e.g. "session__" from a side effect)."""
    q = Q()
    if scope.practitioner_id:
        q &= Q(**{f"{prefix}practitioner_id": scope.practitioner_id})
    if scope.indication_id:
        q &= Q(**{f"{prefix}indication_id": scope.indication_id})
    if scope.product_id:
        q &= Q(**{f"{prefix}product_id": scope.product_id})
    return q


def performed_in(period: Period, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}performed_at__gte": period.start_at,
            f"{prefix}performed_at__lt": period.end_at,
        }
    )


def signed_sessions(scope: Scope) -> QuerySet[TreatmentSession]:
    """Signed sessions of the scope in its period (served by session_status_idx)."""
    return TreatmentSession.objects.filter(
        performed_in(scope.period), session_q(scope), status=SessionStatus.SIGNED
    )


def practitioner_choices():
    """Staff who may sign sessions (by permission, never by group name)."""
    user_model = get_user_model()
    can_sign = Q(groups__permissions__codename="sign_treatmentsession") | Q(
        user_permissions__codename="sign_treatmentsession"
    )
    return (
        user_model.objects.filter(can_sign, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def staff_label(first: str | None, last: str | None, username: str | None) -> str:
    name = f"{first or ''} {last or ''}".strip()
    return name or username or "—"


def chart_completion_delta() -> timedelta:
    return timedelta(hours=CHART_COMPLETION_HOURS)


# Dashboard ---------------------------------------------------------------------------


@dataclass
class Comparison:
    current: Decimal | int | None
    previous: Decimal | int | None

    @property
    def change_percent(self) -> Decimal | None:
        if self.current is None or not self.previous:
            return None
        return (Decimal(self.current - self.previous) * 100 / Decimal(self.previous)).quantize(
            Decimal("0.1")
        )

    @property
    def direction(self) -> str:
        if self.current is None or self.previous is None or self.current == self.previous:
            return "same"
        return "up" if self.current > self.previous else "down"


@dataclass
class Dashboard:
    scope: Scope
    sessions: Comparison
    active_patients: Comparison
    new_patients: Comparison
    registered_patients: Comparison | None
    sessions_over_time: list[dict]
    units_by_product: list[dict] | None  # None: deferred to its own request
    wastage_by_product: list[dict] | None
    wastage_by_lot: list[dict] | None
    sessions_by_practitioner: list[dict]
    side_effects_by_indication: list[dict]
    side_effects_by_product: list[dict]
    side_effect_worklist: dict
    responders: list[dict] | None  # None: deferred to its own request (dashboard_panel)
    follow_ups: dict
    retreatment: dict | None  # None: deferred to its own request
    compliance: dict
    thresholds: dict = field(default_factory=dict)


def session_figures(scope: Scope) -> dict:
    """Sessions, active patients and the chart-compliance counts of the period and the
    previous one: one query over both periods (conditional aggregation). New patients
    (first signed session ever) for this period only: each needs a look back through the
    patient's history, the costliest count of the page."""
    current, previous = scope.period, scope.period.previous()
    both = Period(previous.start, current.end)
    in_current, in_previous = performed_in(current), performed_in(previous)

    def first_treatment_before(moment):
        # The patient had no signed session before the period began: new to treatment.
        return ~Exists(
            TreatmentSession.objects.filter(
                patient_id=OuterRef("patient_id"),
                status=SessionStatus.SIGNED,
                performed_at__lt=moment,
            )
        )

    late = Q(signed_at__gt=F("performed_at") + chart_completion_delta())
    return TreatmentSession.objects.filter(
        performed_in(both), session_q(scope), status=SessionStatus.SIGNED
    ).aggregate(
        sessions=Count("id", filter=in_current),
        sessions_previous=Count("id", filter=in_previous),
        active=Count("patient_id", distinct=True, filter=in_current),
        active_previous=Count("patient_id", distinct=True, filter=in_previous),
        new=Count(
            "patient_id",
            distinct=True,
            filter=in_current & first_treatment_before(current.start_at),
        ),
        signed_late=Count("id", filter=in_current & late),
        without_consent=Count("id", filter=in_current & Q(consent_taken=False)),
        without_lot=Count("id", filter=in_current & Q(vial__isnull=True)),
    )


def registered_patients(period: Period) -> dict:
    """Registrations in the period and the previous one (managers only: not a figure
    that belongs to one practitioner)."""
    previous = period.previous()
    return Patient.objects.filter(
        created_at__gte=previous.start_at, created_at__lt=period.end_at
    ).aggregate(
        current=Count("id", filter=Q(created_at__gte=period.start_at)),
        previous=Count("id", filter=Q(created_at__lt=previous.end_at)),
    )


def sessions_over_time(scope: Scope) -> list[dict]:
    """Signed sessions per week (per month for periods over four months)."""
    trunc = TruncMonth if scope.period.days > 122 else TruncWeek
    rows = (
        signed_sessions(scope)
        .annotate(bucket=trunc("performed_at"))
        .values("bucket")
        .annotate(sessions=Count("id"))
        .order_by("bucket")
    )
    # Buckets come back as aware datetimes at UK midnight: shown as dates.
    return [
        {"bucket": timezone.localdate(row["bucket"]), "sessions": row["sessions"]} for row in rows
    ]


def units_by_product(scope: Scope) -> list[dict]:
    """Units injected per product in the period. One row per product, labelled with its
    unit family: never added across products (DOMAIN §1.2). (No previous-period column:
    it would double the rows joined, the dashboard's largest read.)"""
    current = scope.period
    rows = (
        InjectionPoint.objects.filter(
            performed_in(current, "session__"),
            session_q(scope, "session__"),
            session__status=SessionStatus.SIGNED,
        )
        # Grouped by the product's id only (a hash aggregate over a few groups); its names
        # ride along as Min() rather than as sort keys.
        .values("session__product_id")
        .annotate(
            brand=Min("session__product__brand"),
            family=Min("session__product__unit_family"),
            # Not named "units": that is the summed column itself.
            total=Coalesce(Sum("units"), ZERO),
            sessions=Count("session_id", distinct=True),
        )
        .order_by("brand")
    )
    return [
        {
            "product_id": row["session__product_id"],
            "product": row["brand"],
            "unit_family": UnitFamily(row["family"]).label,
            "units": row["total"],
            "sessions": row["sessions"],
        }
        for row in rows
    ]


def _waste_percent(wasted, presentation) -> Decimal | None:
    if not presentation:
        return None
    return (Decimal(wasted) * 100 / Decimal(presentation)).quantize(Decimal("0.1"))


def wastage(scope: Scope, *, by_lot: bool, limit: int | None = None) -> list[dict]:
    """Vials discarded in the period (their reconciliation is complete: drawn + wasted =
    the presentation), per product or per product and lot: vials, units they held, units
    wasted and the wasted share. Not attributable to one practitioner or indication."""
    group = ["product_id", "product__brand", "product__unit_family"]
    if by_lot:
        group += ["lot"]
    qs = Vial.objects.filter(
        discarded_at__gte=scope.period.start_at, discarded_at__lt=scope.period.end_at
    )
    if scope.product_id:
        qs = qs.filter(product_id=scope.product_id)
    qs = qs.values(*group).annotate(
        vials=Count("id"),
        presentation=Sum("presentation_units"),
        wasted=Sum("wasted_units"),
    )
    qs = qs.order_by("-wasted", "product__brand", *(["lot"] if by_lot else []))
    if limit:
        qs = qs[:limit]
    return [
        {
            "product_id": row["product_id"],
            "product": row["product__brand"],
            "unit_family": UnitFamily(row["product__unit_family"]).label,
            "lot": row.get("lot", ""),
            "vials": row["vials"],
            "presentation": row["presentation"],
            "wasted": row["wasted"],
            "wasted_percent": _waste_percent(row["wasted"], row["presentation"]),
        }
        for row in qs
    ]


def sessions_by_practitioner(scope: Scope) -> list[dict]:
    current, previous = scope.period, scope.period.previous()
    rows = (
        TreatmentSession.objects.filter(
            performed_in(Period(previous.start, current.end)),
            session_q(scope),
            status=SessionStatus.SIGNED,
        )
        .values("practitioner_id")
        .annotate(
            first=Min("practitioner__first_name"),
            last=Min("practitioner__last_name"),
            username=Min("practitioner__username"),
            sessions=Count("id", filter=performed_in(current)),
            sessions_previous=Count("id", filter=performed_in(previous)),
            patients=Count("patient_id", distinct=True, filter=performed_in(current)),
        )
        .order_by("-sessions", "last", "practitioner_id")
    )
    return [
        {
            "practitioner_id": row["practitioner_id"],
            "practitioner": staff_label(row["first"], row["last"], row["username"]),
            "sessions": row["sessions"],
            "sessions_previous": row["sessions_previous"],
            "patients": row["patients"],
        }
        for row in rows
    ]


def side_effect_rates(scope: Scope, *, by: str) -> list[dict]:
    """Side effects reported against the signed sessions of the period, per 100 of those
    sessions, by indication or by product (`by` = "indication" | "product")."""
    name = {"indication": "indication__name", "product": "product__brand"}[by]
    rows = (
        signed_sessions(scope)
        .values(f"{by}_id")
        .annotate(
            label=Min(name),
            sessions=Count("id", distinct=True),
            reported=Count("side_effects", distinct=True),
            serious=Count("side_effects", distinct=True, filter=Q(side_effects__is_serious=True)),
        )
        .order_by("label")
    )
    return [
        {
            "id": row[f"{by}_id"],
            "name": row["label"],
            "sessions": row["sessions"],
            "side_effects": row["reported"],
            "serious": row["serious"],
            "per_100": (Decimal(row["reported"]) * 100 / row["sessions"]).quantize(Decimal("0.1"))
            if row["sessions"]
            else None,
        }
        for row in rows
    ]


def side_effect_worklist(scope: Scope) -> dict:
    """Open governance work, whatever the period: serious reactions with no regulator
    decision yet (DOMAIN §10 rule 39) and reports not yet reviewed by a practitioner."""
    pending = SIDE_EFFECT_WORKLISTS["serious-pending"]
    unreviewed = SIDE_EFFECT_WORKLISTS["unreviewed"]
    return (
        SideEffect.objects.filter(pending | unreviewed)
        .filter(session_q(scope, "session__"))
        .aggregate(
            serious_pending=Count("id", filter=pending),
            unreviewed=Count("id", filter=unreviewed),
        )
    )


def responder_thresholds_and_keys() -> dict[str, Decimal]:
    return dict(
        SafetyParameter.objects.filter(key__in=[RESPONDER_GOOD, RESPONDER_PARTIAL]).values_list(
            "key", "value"
        )
    )


def latest_scores(scope: Scope) -> QuerySet[OutcomeAssessment]:
    """For each outcome series (patient, indication, instrument; per-muscle scales left
    out), its latest follow-up score in the period, with the series' baseline: the latest
    score marked baseline on or before it, else the series' first score."""
    period = scope.period
    series = {
        "patient_id": OuterRef("patient_id"),
        "indication_id": OuterRef("indication_id"),
        "instrument_id": OuterRef("instrument_id"),
    }
    later = OutcomeAssessment.objects.filter(
        **series,
        is_baseline=False,
        assessed_on__lte=period.end,
    ).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), id__gt=OuterRef("id"))
    )
    marked = (
        OutcomeAssessment.objects.filter(
            **series, is_baseline=True, assessed_on__lte=OuterRef("assessed_on")
        )
        .order_by("-assessed_on", "-id")
        .values("value")[:1]
    )
    first = (
        OutcomeAssessment.objects.filter(**series).order_by("assessed_on", "id").values("value")[:1]
    )
    qs = OutcomeAssessment.objects.filter(
        assessed_on__gte=period.start,
        assessed_on__lte=period.end,
        is_baseline=False,
        instrument__per_muscle=False,
    ).exclude(Exists(later))
    if scope.indication_id:
        qs = qs.filter(indication_id=scope.indication_id)
    if scope.practitioner_id or scope.product_id:
        treated = TreatmentSession.objects.filter(
            patient_id=OuterRef("patient_id"),
            indication_id=OuterRef("indication_id"),
            status=SessionStatus.SIGNED,
        )
        if scope.practitioner_id:
            treated = treated.filter(practitioner_id=scope.practitioner_id)
        if scope.product_id:
            treated = treated.filter(product_id=scope.product_id)
        qs = qs.filter(Exists(treated))
    # No ordering: the model's default (by patient name) would join and sort for nothing.
    return qs.annotate(baseline=Coalesce(Subquery(marked), Subquery(first))).order_by()


def outcome_responders(scope: Scope, *, thresholds: dict | None = None, per_instrument=False):
    """Responder rates per indication (and instrument): of the series with a follow-up
    score in the period and a non-zero baseline, how many improved by at least the
    responder_good_percent and responder_partial_percent rows (DOMAIN §5, treatments.
    SafetyParameter); lower-is-better scales only, as on the patient's outcome page.

    The per-series scores come from latest_scores (one SQL statement); the grouping runs
    in the database over it, with an optimisation fence so each row's baseline subquery
    is computed once.
    """
    thresholds = responder_thresholds_and_keys() if thresholds is None else thresholds
    good = thresholds.get(RESPONDER_GOOD)
    partial = thresholds.get(RESPONDER_PARTIAL)
    if good is None or partial is None:
        return []
    inner = (
        latest_scores(scope)
        .filter(instrument__direction=InstrumentDirection.LOWER_IS_BETTER)
        .values("indication_id", "instrument_id", "value", "baseline")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    improvement = "((s.baseline - s.value) * 100.0 / s.baseline)"
    group = "s.indication_id" + (", s.instrument_id" if per_instrument else "")
    instrument_cols = ", i2.name AS instrument, i2.unit AS unit" if per_instrument else ""
    instrument_join = (
        " JOIN treatments_outcomeinstrument i2 ON i2.id = s.instrument_id" if per_instrument else ""
    )
    instrument_group = ", i2.name, i2.unit" if per_instrument else ""
    sql = f"""
        SELECT {group}, ind.name AS indication{instrument_cols},
               COUNT(*) AS series,
               AVG(s.baseline) AS mean_baseline,
               AVG(s.value) AS mean_latest,
               AVG({improvement}) AS mean_improvement,
               SUM(CASE WHEN {improvement} >= %s THEN 1 ELSE 0 END) AS good,
               SUM(CASE WHEN {improvement} >= %s AND {improvement} < %s THEN 1 ELSE 0 END)
                   AS partial
        FROM ({inner_sql}{fence}) s
        JOIN treatments_indication ind ON ind.id = s.indication_id{instrument_join}
        WHERE s.baseline IS NOT NULL AND s.baseline <> 0
        GROUP BY {group}, ind.name{instrument_group}
        ORDER BY ind.name{", i2.name" if per_instrument else ""}
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    # In the order of the placeholders; floats, which SQLite compares as numbers (a
    # Decimal would be bound as text there).
    params = (float(good), float(partial), float(good), *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["good"] = int(row["good"] or 0)
        row["partial"] = int(row["partial"] or 0)
        row["none"] = row["series"] - row["good"] - row["partial"]
        row["responder_percent"] = _percent(row["good"] + row["partial"], row["series"])
        row["good_percent"] = _percent(row["good"], row["series"])
        for key in ("mean_baseline", "mean_latest", "mean_improvement"):
            row[key] = _decimal(row[key])
    return rows


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def follow_up_scope_q(scope: Scope) -> Q:
    q = Q()
    if scope.practitioner_id:
        q &= Q(assigned_to_id=scope.practitioner_id) | Q(
            session__practitioner_id=scope.practitioner_id
        )
    if scope.indication_id:
        q &= Q(session__indication_id=scope.indication_id)
    if scope.product_id:
        q &= Q(session__product_id=scope.product_id)
    return q


def follow_up_counts(scope: Scope, today: date | None = None) -> dict:
    """Open follow-ups (reviews, calls, diaries) overdue, due today and due this week
    (served by the partial index on open tasks)."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=FOLLOW_UP_SOON_DAYS)
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=soon)
        .filter(follow_up_scope_q(scope))
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            today=Count("id", filter=Q(due_on=today)),
            soon=Count("id", filter=Q(due_on__gt=today)),
        )
    )


# Re-treatment --------------------------------------------------------------------------


def retreatment_intervals() -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Minimum intervals: per (product, indication) from the dose guidelines, and each
    indication's default (DOMAIN §3.2), read from reference data (two small queries)."""
    guided = {
        (row["product_id"], row["indication_id"]): row["min_interval_days"]
        for row in DoseGuideline.objects.filter(min_interval_days__isnull=False).values(
            "product_id", "indication_id", "min_interval_days"
        )
    }
    defaults = dict(Indication.objects.values_list("id", "min_interval_days"))
    return guided, defaults


def eligible_between(intervals: tuple[dict, dict], eligible_from: date, eligible_to: date):
    """A condition on sessions: next eligible date (session date + the minimum interval
    for its product and indication) between the two dates, inclusive. The per-product
    intervals become date ranges on performed_at, plus one envelope range the index can
    serve. Returns (condition, envelope); (None, None) without reference data."""
    guided, defaults = intervals
    conditions, spans = [], []

    def window(days: int) -> Q:
        spans.append(days)
        return Q(
            performed_at__gte=local_midnight(eligible_from - timedelta(days=days)),
            performed_at__lt=local_midnight(eligible_to - timedelta(days=days - 1)),
        )

    guided_by_indication: dict[int, list[int]] = {}
    for (product_id, indication_id), days in sorted(guided.items()):
        guided_by_indication.setdefault(indication_id, []).append(product_id)
        conditions.append(Q(indication_id=indication_id, product_id=product_id) & window(days))
    for indication_id, days in sorted(defaults.items()):
        condition = Q(indication_id=indication_id) & window(days)
        if indication_id in guided_by_indication:
            condition &= ~Q(product_id__in=guided_by_indication[indication_id])
        conditions.append(condition)
    if not conditions:
        return None, None
    envelope = Q(
        performed_at__gte=local_midnight(eligible_from - timedelta(days=max(spans))),
        performed_at__lt=local_midnight(eligible_to - timedelta(days=min(spans) - 1)),
    )
    return reduce(operator.or_, conditions), envelope


def retreatment_due(
    scope: Scope,
    *,
    eligible_from: date,
    eligible_to: date,
    intervals: tuple[dict, dict] | None = None,
) -> QuerySet[TreatmentSession]:
    """Each active patient's latest signed session of an indication whose next eligible
    date falls between the two dates, with no signed session of that indication since:
    the recall list. One query (the "none since" is an anti-join)."""
    condition, envelope = eligible_between(
        intervals or retreatment_intervals(), eligible_from, eligible_to
    )
    if condition is None:
        return TreatmentSession.objects.none()
    later = TreatmentSession.objects.filter(
        patient_id=OuterRef("patient_id"),
        indication_id=OuterRef("indication_id"),
        status=SessionStatus.SIGNED,
        performed_at__gt=OuterRef("performed_at"),
    )
    return (
        TreatmentSession.objects.filter(envelope, condition, status=SessionStatus.SIGNED)
        .filter(session_q(scope), patient__status=PatientStatus.ACTIVE)
        .exclude(Exists(later))
    )


def retreatment_counts(scope: Scope, today: date | None = None) -> dict:
    """Patients overdue for re-treatment (eligible for up to RECALL_LAPSE_DAYS) and due
    soon (eligible within RECALL_LOOKAHEAD_DAYS): one query."""
    today = today or timezone.localdate()
    intervals = retreatment_intervals()
    overdue_from = today - timedelta(days=RECALL_LAPSE_DAYS)
    due_to = today + timedelta(days=RECALL_LOOKAHEAD_DAYS)
    overdue, _ = eligible_between(intervals, overdue_from, today - timedelta(days=1))
    counts = retreatment_due(
        scope, eligible_from=overdue_from, eligible_to=due_to, intervals=intervals
    ).aggregate(
        total=Count("id"),
        overdue=Count("id", filter=overdue) if overdue is not None else Value(0),
    )
    counts["due_soon"] = counts["total"] - counts["overdue"]
    counts.update({"overdue_from": overdue_from, "today": today, "due_to": due_to})
    return counts


# Compliance ------------------------------------------------------------------------------


def unsigned_overdue(scope: Scope, now=None) -> QuerySet[TreatmentSession]:
    """Draft sessions performed more than CHART_COMPLETION_HOURS ago, whatever the period:
    open work (served by session_status_idx)."""
    now = now or timezone.now()
    return TreatmentSession.objects.filter(
        session_q(scope),
        status=SessionStatus.DRAFT,
        performed_at__lt=now - chart_completion_delta(),
    )


def questionnaires_unreviewed() -> QuerySet[IntakeQuestionnaire]:
    """Questionnaires no practitioner has reviewed yet (partial index)."""
    return IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True)


def dashboard(*, scope: Scope, whole_clinic: bool, deferred: bool = False) -> Dashboard:
    """Every tile of the dashboard; a fixed number of queries (listed in
    tests/clinic/test_report_query_counts.py). With `deferred`, the two heaviest panels
    (outcome responder rates and re-treatment due, over every series and every patient's
    latest course) are left out: the page loads them with their own requests
    (dashboard_panels), so it shows its figures without waiting for them."""
    figures = session_figures(scope)
    thresholds = responder_thresholds_and_keys()
    registered = None
    if whole_clinic:
        counts = registered_patients(scope.period)
        registered = Comparison(counts["current"], counts["previous"])
    compliance = {
        "unsigned_overdue": unsigned_overdue(scope).count(),
        "signed_late": figures["signed_late"],
        "without_consent": figures["without_consent"],
        "without_lot": figures["without_lot"],
        "questionnaires_unreviewed": questionnaires_unreviewed().count(),
        "hours": CHART_COMPLETION_HOURS,
    }
    return Dashboard(
        scope=scope,
        sessions=Comparison(figures["sessions"], figures["sessions_previous"]),
        active_patients=Comparison(figures["active"], figures["active_previous"]),
        new_patients=Comparison(figures["new"], None),
        registered_patients=registered,
        sessions_over_time=sessions_over_time(scope),
        units_by_product=None if deferred else units_by_product(scope),
        wastage_by_product=wastage(scope, by_lot=False) if whole_clinic and not deferred else None,
        wastage_by_lot=(
            wastage(scope, by_lot=True, limit=8) if whole_clinic and not deferred else None
        ),
        sessions_by_practitioner=sessions_by_practitioner(scope),
        side_effects_by_indication=side_effect_rates(scope, by="indication"),
        side_effects_by_product=side_effect_rates(scope, by="product"),
        side_effect_worklist=side_effect_worklist(scope),
        responders=None if deferred else outcome_responders(scope, thresholds=thresholds),
        follow_ups=follow_up_counts(scope),
        retreatment=None if deferred else retreatment_counts(scope),
        compliance=compliance,
        thresholds=thresholds,
    )


# Report rows -------------------------------------------------------------------------------


def total_units_subquery(session_ref: str = "pk"):
    """Units of one session (its injection points), as a correlated subquery: computed
    only for the rows of the page shown, unlike a GROUP BY over the whole period."""
    return Coalesce(
        Subquery(
            InjectionPoint.objects.filter(session_id=OuterRef(session_ref))
            .values("session_id")
            .annotate(total=Sum("units"))
            .values("total")[:1]
        ),
        ZERO,
    )


def initials(prefix: str = "patient__"):
    return Concat(
        Upper(Substr(f"{prefix}given_names", 1, 1)),
        Upper(Substr(f"{prefix}family_name", 1, 1)),
    )


def session_rows(scope: Scope, *, any_date: bool = False) -> QuerySet:
    """Sessions of the period (signed and drafts; `any_date`: whatever their date),
    pseudonymised: the record number, not the name."""
    qs = TreatmentSession.objects.filter(session_q(scope))
    if not any_date:
        qs = qs.filter(performed_in(scope.period))
    return (
        qs.annotate(
            total_units=total_units_subquery(),
            record_number=F("patient__record_number"),
            practitioner_first=F("practitioner__first_name"),
            practitioner_last=F("practitioner__last_name"),
            practitioner_username=F("practitioner__username"),
            indication_name=F("indication__name"),
            product_brand=F("product__brand"),
            unit_family=F("product__unit_family"),
            lot=F("vial__lot"),
            second_lot=F("second_vial__lot"),
        )
        .values(
            "public_id",
            "performed_at",
            "record_number",
            "practitioner_first",
            "practitioner_last",
            "practitioner_username",
            "indication_name",
            "product_brand",
            "unit_family",
            "total_units",
            "lot",
            "second_lot",
            "status",
            "signed_at",
            "consent_taken",
            "is_off_label",
        )
        .order_by("-performed_at", "-id")
    )


def side_effect_rows(scope: Scope, *, worklist: str | None = None) -> QuerySet:
    """Side effects with onset in the period (or, for a worklist, open ones whatever
    their date), with the Yellow Card fields (DOMAIN §4.5): the patient as record number
    (local identification number), initials, sex and date of birth for the age at the
    reaction; suspect product brand and batch from the session. No names, no free-text
    description."""
    qs = SideEffect.objects.filter(session_q(scope, "session__"))
    if worklist in SIDE_EFFECT_WORKLISTS:
        qs = qs.filter(SIDE_EFFECT_WORKLISTS[worklist])
    else:
        qs = qs.filter(onset_date__gte=scope.period.start, onset_date__lte=scope.period.end)
    return (
        qs.annotate(
            record_number=F("patient__record_number"),
            patient_initials=initials(),
            patient_sex=F("patient__sex"),
            patient_dob=F("patient__date_of_birth"),
            term_name=F("term__name"),
            brand=F("session__product__brand"),
            generic_name=F("session__product__generic_name"),
            batch=F("session__vial__lot"),
            batch_expiry=F("session__vial__expiry"),
            second_batch=F("session__second_vial__lot"),
            indication_name=F("session__indication__name"),
            session_at=F("session__performed_at"),
            dose_units=total_units_subquery("session_id"),
        )
        .values(
            "public_id",
            "onset_date",
            "resolution_date",
            "record_number",
            "patient_initials",
            "patient_sex",
            "patient_dob",
            "term_name",
            "term_other",
            "severity",
            "is_serious",
            "serious_death",
            "serious_life_threatening",
            "serious_hospitalisation",
            "serious_disability",
            "serious_congenital",
            "serious_medically_important",
            "outcome",
            "causality",
            "action_taken",
            "treatment_given",
            "brand",
            "generic_name",
            "batch",
            "batch_expiry",
            "second_batch",
            "indication_name",
            "session_at",
            "dose_units",
            "status",
            "regulator_decision",
            "yellow_card_reference",
            "not_reported_reason",
        )
        .order_by("-onset_date", "-id")
    )


def units_wastage_rows(scope: Scope) -> QuerySet:
    """Vials discarded in the period per product and lot: vials, units they held, units
    drawn into sessions (VialDraw), units wasted, wasted share. One GROUP BY."""
    drawn = Coalesce(
        Subquery(
            VialDraw.objects.filter(vial_id=OuterRef("pk"))
            .values("vial_id")
            .annotate(total=Sum("units"))
            .values("total")[:1]
        ),
        ZERO,
    )
    qs = Vial.objects.filter(
        discarded_at__gte=scope.period.start_at, discarded_at__lt=scope.period.end_at
    )
    if scope.product_id:
        qs = qs.filter(product_id=scope.product_id)
    return (
        qs.annotate(drawn_units=drawn)
        .values("product__brand", "product__unit_family", "lot")
        .annotate(
            vials=Count("id"),
            presentation=Sum("presentation_units"),
            drawn=Sum("drawn_units"),
            wasted=Sum("wasted_units"),
            expiry=Min("expiry"),
        )
        .order_by("product__brand", "lot")
    )


def practitioner_activity_rows(scope: Scope) -> QuerySet:
    """Per practitioner and product: signed sessions, patients, units (within the
    product's family only), side effects reported, sessions signed late or without
    consent."""
    late = Q(signed_at__gt=F("performed_at") + chart_completion_delta())
    return (
        signed_sessions(scope)
        .values(
            "practitioner_id",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
            "product__brand",
            "product__unit_family",
        )
        .annotate(
            # The join to injection points repeats each session per point: counts are
            # distinct, units are summed per point.
            sessions=Count("id", distinct=True),
            patients=Count("patient_id", distinct=True),
            units=Coalesce(Sum("points__units"), ZERO),
            signed_late=Count("id", distinct=True, filter=late),
            without_consent=Count("id", distinct=True, filter=Q(consent_taken=False)),
        )
        .order_by("practitioner__last_name", "practitioner__first_name", "product__brand")
    )


def lot_exposure_rows(scope: Scope, *, lot: str = "") -> QuerySet:
    """Every draw from a vial into a session in the period (optionally one lot): the
    recall list of DOMAIN §1.5, pseudonymised (record numbers)."""
    qs = VialDraw.objects.filter(performed_in(scope.period, "session__")).filter(
        session_q(scope, "session__")
    )
    lot = (lot or "").strip()
    if lot:
        qs = qs.filter(vial__lot__iexact=lot)
    return qs.values(
        "vial_id",
        "vial__lot",
        "vial__expiry",
        "vial__product__brand",
        "units",
        "session__public_id",
        "session__performed_at",
        "session__status",
        "session__patient__record_number",
        "session__indication__name",
        "session__practitioner__first_name",
        "session__practitioner__last_name",
        "session__practitioner__username",
    ).order_by("-session__performed_at", "-id")  # newest first: served by the date index


def recall_rows(
    scope: Scope, *, eligible_from: date, eligible_to: date, intervals=None
) -> QuerySet:
    """The recall list: patients due for re-treatment with the contact details they
    agreed to be contacted on (DOMAIN §6.4, §7.3: managers may see demographics for
    operations). The phone is given only with SMS consent, the email only with email
    consent."""
    return (
        retreatment_due(
            scope, eligible_from=eligible_from, eligible_to=eligible_to, intervals=intervals
        )
        .values(
            "performed_at",
            "product_id",
            "indication_id",
            "patient__public_id",
            "patient__record_number",
            "patient__title",
            "patient__given_names",
            "patient__family_name",
            "patient__phone",
            "patient__email",
            "patient__consent_contact_sms",
            "patient__consent_contact_email",
            "indication__name",
            "product__brand",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
        )
        .order_by("performed_at", "patient__record_number")
    )


def follow_up_rows(scope: Scope, *, due_by: date) -> QuerySet:
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=due_by)
        .filter(follow_up_scope_q(scope))
        .values(
            "id",
            "due_on",
            "kind",
            "title",
            "patient__record_number",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "assigned_to__username",
            "session__indication__name",
        )
        .order_by("due_on", "id")
    )


def questionnaire_rows() -> QuerySet:
    return (
        questionnaires_unreviewed()
        .values(
            "id",
            "completed_on",
            "created_at",
            "patient__public_id",
            "patient__record_number",
            "entered_by__first_name",
            "entered_by__last_name",
            "entered_by__username",
        )
        .order_by("completed_on", "id")
    )


DASHBOARD_PANELS = ("stock", "outcomes", "retreatment")


def dashboard_panel(*, scope: Scope, panel: str, whole_clinic: bool = False) -> dict:
    """One deferred panel of the dashboard (see dashboard(deferred=True)): units per
    product and, for the whole clinic, vial wastage by product and lot (1 or 3 queries);
    the responder rates with their thresholds (2); or the re-treatment counts (3)."""
    if panel == "stock":
        return {
            "units_by_product": units_by_product(scope),
            "wastage_by_product": wastage(scope, by_lot=False) if whole_clinic else None,
            "wastage_by_lot": wastage(scope, by_lot=True, limit=8) if whole_clinic else None,
        }
    if panel == "outcomes":
        thresholds = responder_thresholds_and_keys()
        return {
            "thresholds": thresholds,
            "responders": outcome_responders(scope, thresholds=thresholds),
        }
    if panel == "retreatment":
        return {"retreatment": retreatment_counts(scope)}
    raise ValueError(panel)
