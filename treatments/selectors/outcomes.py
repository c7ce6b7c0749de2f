"""Reads for outcome assessments: each instrument's series with session markers and the
responder status, and the migraine diary facts rule 33 reads."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from clinic.prepared import Prepared
from patients.models import Patient
from treatments import safety
from treatments.choices import InstrumentDirection, ResponderStatus, SessionStatus
from treatments.models import (
    Indication,
    OutcomeAssessment,
    OutcomeInstrument,
    SafetyParameter,
    TreatmentSession,
)
from treatments.selectors.aggregates import ZERO

HEADACHE_DAYS = "headache-days"  # OutcomeInstrument slugs rule 33 reads (DOMAIN §5, S58)
MIGRAINE_DAYS = "migraine-days"
RESPONDER_GOOD = "responder_good_percent"
RESPONDER_PARTIAL = "responder_partial_percent"


@dataclass
class SessionMarker:
    on: date
    label: str  # e.g. "155 U BOTOX"


@dataclass
class Responder:
    status: ResponderStatus
    label: str  # e.g. "≥50% better"


@dataclass
class OutcomeSeries:
    """One patient's scores on one instrument for one indication (and one muscle, for
    per-muscle instruments), oldest first, with the signed sessions of that indication."""

    indication: Indication
    instrument: OutcomeInstrument
    muscle_name: str
    assessments: list[OutcomeAssessment]
    sessions: list[SessionMarker]
    baseline: OutcomeAssessment | None = None
    responder: Responder | None = None

    @property
    def key(self) -> str:
        return f"{self.indication.slug}-{self.instrument.slug}-{slugify(self.muscle_name)}".rstrip(
            "-"
        )

    @property
    def chart_id(self) -> str:
        """The id of the json_script element the chart reads."""
        return f"outcome-data-{self.key}"

    @property
    def latest(self) -> OutcomeAssessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def change(self) -> Decimal | None:
        """Latest minus baseline, in the instrument's units (negative = fell)."""
        if self.baseline is None or self.latest is None or self.latest is self.baseline:
            return None
        return self.latest.value - self.baseline.value

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or not self.baseline.value:
            return None
        return (self.change / self.baseline.value * 100).quantize(Decimal("0.1"))

    @property
    def improvement_percent(self) -> Decimal | None:
        """Direction-aware: positive when the patient is better than at baseline."""
        if self.change_percent is None:
            return None
        lower = self.instrument.direction == InstrumentDirection.LOWER_IS_BETTER
        return -self.change_percent if lower else self.change_percent

    @property
    def is_better(self) -> bool | None:
        if self.change is None or not self.change:
            return None
        lower = self.instrument.direction == InstrumentDirection.LOWER_IS_BETTER
        return (self.change < 0) == lower

    def chart_data(self) -> dict:
        """What the chart in clinic/static/clinic/app.js draws, for json_script."""
        return {
            "label": self.instrument.name,
            "unit": self.instrument.unit,
            "min": _float(self.instrument.min_value),
            "max": _float(self.instrument.max_value),
            "points": [
                {"x": a.assessed_on.isoformat(), "y": float(a.value)} for a in self.assessments
            ],
            "baseline": _float(self.baseline.value if self.baseline else None),
            "sessions": [{"x": m.on.isoformat(), "label": m.label} for m in self.sessions],
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _choose_baseline(
    assessments: list[OutcomeAssessment], first_session_on: date | None
) -> OutcomeAssessment | None:
    """The latest score marked as baseline; otherwise the latest score on or before the
    first signed session of the indication (the pre-treatment value); with no session yet,
    the latest score (the patient is still untreated)."""
    marked = [a for a in assessments if a.is_baseline]
    if marked:
        return marked[-1]
    before = [
        a for a in assessments if first_session_on is None or a.assessed_on <= first_session_on
    ]
    return before[-1] if before else None


def outcome_session_markers(*, patient: Patient) -> dict[int, list[SessionMarker]]:
    """Signed sessions with their total units, per indication, oldest first (one query)."""
    sessions = (
        TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
        .select_related("product")
        .annotate(total_units=Coalesce(Sum("points__units"), ZERO))
        .order_by("performed_at", "id")
    )
    markers: dict[int, list[SessionMarker]] = {}
    for session in sessions:
        units = f"{session.total_units.normalize():f}"
        markers.setdefault(session.indication_id, []).append(
            SessionMarker(
                on=timezone.localdate(session.performed_at),
                label=f"{units} U {session.product.brand}",
            )
        )
    return markers


def responder_thresholds() -> dict[str, Decimal]:
    return dict(
        SafetyParameter.objects.filter(key__in=[RESPONDER_GOOD, RESPONDER_PARTIAL]).values_list(
            "key", "value"
        )
    )


def responder_status(
    series: OutcomeSeries, *, thresholds: dict[str, Decimal] | None = None
) -> Responder | None:
    """For lower-is-better measures with a baseline and a later score: good (≥ the
    responder_good_percent row), partial (≥ responder_partial_percent) or not responding.
    Thresholds are inclusive. None for higher-is-better measures (no sourced definition)."""
    if series.instrument.direction != InstrumentDirection.LOWER_IS_BETTER:
        return None
    improvement = series.improvement_percent
    if improvement is None:
        return None
    thresholds = responder_thresholds() if thresholds is None else thresholds
    good, partial = thresholds[RESPONDER_GOOD], thresholds[RESPONDER_PARTIAL]
    if improvement >= good:
        return Responder(ResponderStatus.GOOD, f"≥{good.normalize():f}% better")
    if improvement >= partial:
        return Responder(ResponderStatus.PARTIAL, f"≥{partial.normalize():f}% better")
    return Responder(ResponderStatus.NOT_RESPONDING, ResponderStatus.NOT_RESPONDING.label)


def outcome_series(*, patient: Patient) -> list[OutcomeSeries]:
    """Every series of the patient's outcome scores with baseline, latest, change and
    responder status. Three queries: assessments, signed sessions, thresholds."""
    assessments = (
        OutcomeAssessment.objects.filter(patient=patient)
        .select_related("indication", "instrument", "muscle", "session", "recorded_by")
        .order_by("indication__name", "instrument__name", "muscle__name", "assessed_on", "id")
    )
    grouped: dict[tuple[int, int, int | None], list[OutcomeAssessment]] = {}
    for assessment in assessments:
        key = (assessment.indication_id, assessment.instrument_id, assessment.muscle_id)
        grouped.setdefault(key, []).append(assessment)
    if not grouped:
        return []
    markers = outcome_session_markers(patient=patient)
    thresholds = responder_thresholds()
    result = []
    for rows in grouped.values():
        first = rows[0]
        sessions = markers.get(first.indication_id, [])
        series = OutcomeSeries(
            indication=first.indication,
            instrument=first.instrument,
            muscle_name=first.muscle.name if first.muscle else "",
            assessments=rows,
            sessions=sessions,
            baseline=_choose_baseline(rows, sessions[0].on if sessions else None),
        )
        series.responder = responder_status(series, thresholds=thresholds)
        result.append(series)
    return result


def _diary_scores(patient_id: int, on: date):
    return (
        OutcomeAssessment.objects.filter(
            patient_id=patient_id,
            instrument__slug__in=[HEADACHE_DAYS, MIGRAINE_DAYS],
            assessed_on__lte=on,
        )
        .select_related("instrument")
        .order_by("assessed_on", "id")
    )


# Compiled once per process (clinic.prepared): read with the engine's inputs on every
# session page, live re-check, draft save and signing.
_DIARY_SCORES = Prepared(
    _diary_scores, patient_id=(-1001, -1002), on=(date(2001, 2, 3), date(2002, 3, 4))
)


def diary_scores_sql(patient: Patient, *, on: date | None = None) -> tuple[str, list]:
    """The diary scores' compiled read (SQL and parameters), for a caller that reads them
    in a statement of its own: each row an OutcomeAssessment's columns, then its
    instrument's, oldest first."""
    return _DIARY_SCORES.sql(patient_id=patient.pk, on=on or date.max)


def migraine_diary_facts(
    patient: Patient,
    *,
    on: date | None = None,
    session_dates: tuple[date, ...] = (),
    scores: list[OutcomeAssessment] | None = None,
) -> safety.MigraineDiaryFacts | None:
    """Rule 33's diary from the headache-days and migraine-days scores on or before `on`:
    the baseline of each, and the headache days recorded after the baseline, oldest first.
    None when the patient has no headache-days score (the rule then stays silent). One
    query, none when the caller read the `scores` (diary_scores_sql, oldest first, each
    with its instrument); `session_dates` are the patient's signed chronic-migraine
    sessions before this one (the cycles completed), which the caller has already read."""
    if scores is None:
        scores = _DIARY_SCORES.list(patient_id=patient.pk, on=on or date.max)
    by_slug: dict[str, list[OutcomeAssessment]] = {HEADACHE_DAYS: [], MIGRAINE_DAYS: []}
    for score in scores:
        by_slug[score.instrument.slug].append(score)
    headache = by_slug[HEADACHE_DAYS]
    if not headache:
        return None
    first_session_on = min(session_dates, default=None)
    baseline = _choose_baseline(headache, first_session_on)
    migraine_baseline = _choose_baseline(by_slug[MIGRAINE_DAYS], first_session_on)
    after = [
        a
        for a in headache
        if a is not baseline
        and not a.is_baseline
        and (baseline is None or (a.assessed_on, a.pk) > (baseline.assessed_on, baseline.pk))
    ]
    return safety.MigraineDiaryFacts(
        baseline_headache_days=baseline.value if baseline else None,
        baseline_migraine_days=migraine_baseline.value if migraine_baseline else None,
        cycles_completed=len(session_dates),
        monthly_headache_days=tuple(a.value for a in after),
    )
