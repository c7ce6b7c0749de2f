"""Reads for side-effect reports: the access chokepoint, lists and the review queue, and
the Yellow Card fields a report pre-fills."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.listing import Capped, CappedRead, capped
from patients.models import IntakeQuestionnaire, Patient
from treatments import safety
from treatments.choices import (
    BodyRegion,
    RegulatorDecision,
    SessionStatus,
    SideEffectOutcome,
    SideEffectStatus,
    UnitFamily,
)
from treatments.models import (
    SafetyParameter,
    SideEffect,
    SideEffectTerm,
    TreatmentSession,
    Vial,
    VialDraw,
)

_SIDE_EFFECT_RELATED = (
    "patient",
    "term",
    "session",
    "session__product",
    "session__indication",
    "session__practitioner",
    "logged_by",
    "reviewed_by",
    "decided_by",
)
# Still going on: no resolution date and an outcome that is not an end state.
OPEN_SIDE_EFFECT = Q(resolution_date__isnull=True) & ~Q(
    outcome__in=[SideEffectOutcome.RECOVERED, SideEffectOutcome.SEQUELAE, SideEffectOutcome.FATAL]
)
# What rule 21 reads, and the patient banner shows: a side effect whose term is marked as
# a hypersensitivity reaction (reference data), or one no practitioner has reviewed yet
# (reception logs a call without a term: it may be one). One definition for the engine's
# history (patient_history._reactions) and the banner (patient_banner).
RECORDED_REACTION = Q(term__hypersensitivity=True) | Q(status=SideEffectStatus.UNREVIEWED)
AWAITING_DECISION = Q(
    status=SideEffectStatus.REVIEWED, regulator_decision=RegulatorDecision.PENDING
)


def side_effect_get(*, public_id) -> SideEffect:
    """One report with its suspected session and (as `lots`) the vials it drew from."""
    side_effect = get_object_or_404(
        SideEffect.objects.select_related(*_SIDE_EFFECT_RELATED), public_id=public_id
    )
    return side_effect_lots([side_effect])[0]


def side_effect_terms() -> list[SideEffectTerm]:
    """The seeded list, "Other (describe)" last."""
    terms = list(SideEffectTerm.objects.order_by("name"))
    return sorted(terms, key=lambda t: t.slug == "other")


def side_effect_suggested_session(*, patient: Patient, onset_date) -> TreatmentSession | None:
    """The latest signed session on or before the onset: the usual suspect."""
    qs = TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
    if onset_date:
        end = timezone.make_aware(datetime.combine(onset_date + timedelta(days=1), time.min))
        qs = qs.filter(performed_at__lt=end)
    return qs.order_by("-performed_at", "-id").first()


def side_effect_session_choices(*, patient: Patient) -> QuerySet[TreatmentSession]:
    return (
        TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
        .select_related("product", "indication")
        .order_by("-performed_at", "-id")
    )


def side_effect_lots(side_effects: list[SideEffect]) -> list[SideEffect]:
    """Attach `lots` (the batches the suspected session drew from) in one query."""
    session_ids = {se.session_id for se in side_effects if se.session_id}
    lots: dict[int, list[Vial]] = {}
    if session_ids:
        for draw in (
            VialDraw.objects.filter(session_id__in=session_ids)
            .select_related("vial")
            .order_by("session_id", "id")
        ):
            lots.setdefault(draw.session_id, []).append(draw.vial)
    for se in side_effects:
        se.lots = lots.get(se.session_id, [])
    return side_effects


def side_effect_list_for_patient(*, patient: Patient) -> list[SideEffect]:
    return side_effect_lots(
        list(
            SideEffect.objects.filter(patient=patient)
            .select_related(*_SIDE_EFFECT_RELATED)
            .order_by("-onset_date", "-id")
        )
    )


def side_effect_open_for_patient(*, patient: Patient) -> list[SideEffect]:
    """For the patient header: reactions still going on, and unreviewed reports."""
    return list(
        SideEffect.objects.filter(patient=patient)
        .filter(OPEN_SIDE_EFFECT | Q(status=SideEffectStatus.UNREVIEWED))
        .select_related("term")
        .order_by("-onset_date", "-id")[:5]
    )


# Rows of each kind the queue page lists; it gives the totals and says when there are more.
QUEUE_LIMIT = 100


@dataclass
class SideEffectQueue:
    unreviewed: Capped
    awaiting_decision: Capped  # serious first
    serious_awaiting_total: int


def side_effect_queue(*, limit: int | None = None) -> SideEffectQueue:
    """The practitioners' queue: reports to complete, then decisions to record (serious
    first). Each list is capped at QUEUE_LIMIT rows, with its total (the page says when
    there are more), and the serious reactions awaiting a decision are counted in full."""
    limit = limit or QUEUE_LIMIT
    base = SideEffect.objects.select_related(*_SIDE_EFFECT_RELATED)
    unreviewed = capped(
        base.filter(status=SideEffectStatus.UNREVIEWED).order_by("created_at", "id"), limit
    )
    awaiting = capped(
        base.filter(AWAITING_DECISION).order_by("-is_serious", "onset_date", "id"), limit
    )
    side_effect_lots(awaiting.rows)
    serious_shown = sum(1 for se in awaiting.rows if se.is_serious)
    # Serious first: the rows shown hold every serious one unless they are all serious
    # and there are more.
    serious_total = (
        SideEffect.objects.filter(AWAITING_DECISION, is_serious=True).count()
        if awaiting.more and serious_shown == len(awaiting.rows)
        else serious_shown
    )
    return SideEffectQueue(unreviewed, awaiting, serious_total)


# The home page's cards, compiled once per process (clinic.listing.CappedRead).
_UNREVIEWED = CappedRead(
    lambda: (
        SideEffect.objects.filter(status=SideEffectStatus.UNREVIEWED)
        .select_related("patient")
        .order_by("created_at", "id")
    )
)
_SERIOUS_UNDECIDED = CappedRead(
    lambda: (
        SideEffect.objects.filter(AWAITING_DECISION, is_serious=True)
        .select_related("patient", "term", "session__product")
        .order_by("onset_date", "id")
    )
)


def side_effect_list_unreviewed(*, limit: int = 8) -> Capped:
    """Reports waiting for a practitioner (e.g. phoned in to reception), the oldest
    `limit` and how many in all."""
    return _UNREVIEWED(limit=limit)


def side_effect_serious_undecided(*, limit: int = 3) -> Capped:
    """Serious reactions with no Yellow Card decision, the oldest `limit` and how many in
    all: flagged to practitioners and managers until one is recorded (rule 39)."""
    return _SERIOUS_UNDECIDED(limit=limit)


# The governance list's order: undecided (no decided_at) first, the longest waiting first
# (since the report was logged, as the row's "waiting N days" counts: review 07/12/2026),
# then the latest decisions.
SERIOUS_ORDER = (F("decided_at").desc(nulls_first=True), "created_at", "pk")


def side_effect_serious_list() -> QuerySet[SideEffect]:
    """The governance list: every serious reaction, for a page at a time in SERIOUS_ORDER
    (clinic.listing.fast_page), with the practitioner to ask for a missing decision
    (SideEffect.responsible_practitioner: the reviewer, and the treating practitioner);
    `side_effect_lots` attaches the page's batches."""
    return SideEffect.objects.filter(is_serious=True).select_related(
        "patient",
        "term",
        "session__product",
        "session__indication",
        "session__practitioner",
        "reviewed_by",
    )


def _route(regions: set[str]) -> str:
    if BodyRegion.BLADDER in regions:
        return "Intradetrusor injection"
    if regions and regions <= {BodyRegion.SKIN}:
        return "Intradermal injection"
    if regions and regions <= {BodyRegion.SALIVARY}:
        return "Intraglandular injection"
    return "Intramuscular injection"


@dataclass
class YellowCardField:
    section: str
    label: str
    value: str


def yellow_card(*, side_effect: SideEffect) -> list[YellowCardField]:
    """Every Yellow Card field the record holds (DOMAIN §4.5), in the form's order, so a
    report needs no re-typing. The patient is identified by initials, age, sex and the
    clinic record number only (the MHRA database is anonymous)."""
    se, patient, session = side_effect, side_effect.patient, side_effect.session
    fields: list[YellowCardField] = []

    def add(section, label, value):
        fields.append(YellowCardField(section, label, "" if value is None else str(value)))

    initials = "".join(
        part[0].upper() for part in f"{patient.given_names} {patient.family_name}".split() if part
    )
    add("Patient", "Initials", initials)
    add("Patient", "Sex", patient.get_sex_display())
    add("Patient", "Age at time of reaction", f"{patient.age_on(se.onset_date)} years")
    add(
        "Patient",
        "Weight (kg)",
        session.weight_kg if session and session.weight_kg else "Not recorded",
    )
    add("Patient", "Local identification number", patient.record_number)
    if session is not None:
        points = list(session.points.select_related("site"))
        # The batches: the vials side_effect_get already attached (no second read).
        lots = getattr(se, "lots", None)
        if lots is None:
            lots = side_effect_lots([se])[0].lots
        units = sum((p.units for p in points), Decimal(0))
        treated_on = timezone.localdate(session.performed_at)
        add("Suspected drug", "Brand", f"{session.product.brand} ({session.product.generic_name})")
        add(
            "Suspected drug",
            "Batch",
            "; ".join(f"{vial.lot} (expiry {vial.expiry:%d/%m/%Y})" for vial in lots)
            or "Not recorded",
        )
        add("Suspected drug", "Route", _route({p.site.region for p in points}))
        add(
            "Suspected drug",
            "Dosage",
            f"{units.normalize():f} {UnitFamily(session.product.unit_family).label} units, "
            f"single treatment at {len(points)} site{'s' if len(points) != 1 else ''}",
        )
        add(
            "Suspected drug",
            "Sites",
            ", ".join(sorted({p.site.name for p in points})),
        )
        add("Suspected drug", "Date started", f"{treated_on:%d/%m/%Y}")
        add("Suspected drug", "Date stopped", f"{treated_on:%d/%m/%Y} (single treatment)")
        add("Suspected drug", "Prescribed for", session.indication.name)
    add("Suspected reaction", "Reaction", se.reaction)
    add("Suspected reaction", "Description", se.description)
    add(
        "Suspected reaction", "Treatment given", se.treatment_given or se.get_action_taken_display()
    )
    add("Suspected reaction", "Outcome", se.get_outcome_display())
    add("Suspected reaction", "Date started", f"{se.onset_date:%d/%m/%Y}")
    add(
        "Suspected reaction",
        "Date stopped",
        f"{se.resolution_date:%d/%m/%Y}" if se.resolution_date else "Continuing",
    )
    add("Suspected reaction", "Serious", "Yes" if se.is_serious else "No")
    add("Suspected reaction", "Why serious", "; ".join(se.seriousness_reasons) or "Not serious")
    add("Suspected reaction", "Severity", se.get_severity_display())
    add("Suspected reaction", "Causality (WHO-UMC)", se.get_causality_display())
    questionnaire = (
        IntakeQuestionnaire.objects.filter(patient=patient, created_at__date__lte=se.onset_date)
        .order_by("-created_at", "-id")
        .only("current_medications", "allergy_details", "created_at")
        .first()
    )
    add(
        "Other drugs",
        "Medicines in the last 3 months",
        (questionnaire.current_medications if questionnaire else "") or "None recorded",
    )
    add(
        "Additional information",
        "Known allergies",
        (questionnaire.allergy_details if questionnaire else "") or "None recorded",
    )
    reporter = se.reviewed_by or se.logged_by
    add("Reporter", "Name", reporter.get_full_name() or reporter.get_username())
    add("Reporter", "Qualification", "Practitioner (prescriber)")
    add("Reporter", "Address", f"{settings.CLINIC_NAME}, {settings.CLINIC_ADDRESS}")
    add(
        "Reporter",
        "Reaction first reported by",
        se.get_reporter_display() + (f": {se.reporter_name}" if se.reporter_name else ""),
    )
    return fields


def _parameters(*keys: str) -> dict[str, int]:
    """Reference thresholds by key; a missing one is an error, never a default."""
    values = dict(SafetyParameter.objects.filter(key__in=keys).values_list("key", "value"))
    missing = [key for key in keys if key not in values]
    if missing:
        raise safety.MissingParameterError(missing)
    return {key: int(value) for key, value in values.items()}


def yellow_card_sections(fields: list[YellowCardField]) -> dict[str, list[YellowCardField]]:
    """The fields grouped by the form's sections, in order (for the printable page)."""
    sections: dict[str, list[YellowCardField]] = {}
    for f in fields:
        sections.setdefault(f.section, []).append(f)
    return sections


def yellow_card_reasons(*, side_effect: SideEffect) -> list[str]:
    """Why MHRA advice asks for this one to be reported (rule 39, [S59e])."""
    se, patient = side_effect, side_effect.patient
    age = patient.age_on(se.onset_date)
    params = _parameters("adult_age_years", "yellow_card_older_age_years")
    reasons = ["Botulinum toxins are biological medicines: report all suspected reactions."]
    if age < params["adult_age_years"]:
        reasons.append("The patient is a child.")
    if age >= params["yellow_card_older_age_years"]:
        reasons.append(f"The patient is {params['yellow_card_older_age_years']} or over.")
    if se.is_serious:
        reasons.append("The reaction is serious: a recorded decision is required.")
    if se.session_id and se.session.is_off_label:
        reasons.append("The use was off-label.")
    return reasons
