"""Reads for vials, sessions, follow-ups and outcome series, and the builder of the
safety engine's inputs.

`safety_inputs` turns database rows into the plain dataclasses of treatments.safety, so
the engine itself never touches the ORM and the live check and the signing service see
exactly the same facts.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify

from patients.choices import YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from treatments import safety
from treatments.choices import (
    BodyRegion,
    InstrumentDirection,
    ProductForm,
    RegulatorDecision,
    ResponderStatus,
    SafetyProfile,
    SessionStatus,
    SideEffectOutcome,
    SideEffectStatus,
    UnitFamily,
)
from treatments.models import (
    DoseGuideline,
    DoseLimit,
    FollowUp,
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    OutcomeInstrument,
    Product,
    SafetyParameter,
    SideEffect,
    SideEffectTerm,
    SiteTemplate,
    SiteTemplateRow,
    TreatmentSession,
    Vial,
    VialDraw,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=10, decimal_places=2))


# Vials ----------------------------------------------------------------------------------


def vial_list() -> QuerySet[Vial]:
    """Vials with units drawn into sessions annotated (one query, no per-row lookups)."""
    return Vial.objects.select_related("product").annotate(
        drawn_units=Coalesce(Sum("draws__units"), ZERO),
        session_count=Count("draws", distinct=True),
    )


def vial_get(*, pk: int) -> Vial:
    return get_object_or_404(
        vial_list().select_related("received_by", "reconstituted_by", "discarded_by"), pk=pk
    )


def vial_list_usable(*, product: Product, patient: Patient, at=None) -> list[Vial]:
    """Vials a session may draw from now: this product, in date, not discarded,
    reconstituted and within its use-by (or a ready-to-use solution), and not used by a
    signed session or by another patient (single patient, single session: DOMAIN §1.3 and
    §10 rule 5)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    qs = Vial.objects.select_related("product").filter(
        product=product, discarded_at__isnull=True, expiry__gte=today
    )
    others = Patient.objects.exclude(pk=patient.pk)
    for link in ("sessions", "second_sessions"):
        qs = qs.exclude(**{f"{link}__patient__in": others}).exclude(
            **{f"{link}__status": SessionStatus.SIGNED}
        )
    if product.form == ProductForm.POWDER:
        # With no known in-use time (use_by empty), a vial is usable on the day it was
        # reconstituted only, the conservative reading of "use immediately" (DOMAIN §1.3).
        start_of_day = timezone.make_aware(datetime.combine(today, time.min))
        qs = qs.filter(reconstituted_at__isnull=False).filter(
            Q(use_by__gte=at) | Q(use_by__isnull=True, reconstituted_at__gte=start_of_day)
        )
    return list(qs.order_by("use_by", "expiry", "id").distinct())


def vial_sessions(*, vial: Vial) -> list[TreatmentSession]:
    return list(
        TreatmentSession.objects.filter(draws__vial=vial)
        .select_related("patient", "practitioner", "indication")
        .annotate(total_units=Coalesce(Sum("draws__units", filter=Q(draws__vial=vial)), ZERO))
        .order_by("performed_at", "id")
    )


def lot_exposure(*, lot: str) -> list[TreatmentSession]:
    """Every session (and so patient) that received a lot: the recall list (DOMAIN §1.5)."""
    lot = (lot or "").strip()
    if not lot:
        return []
    from_lot = Q(draws__vial__lot__iexact=lot)
    return list(
        TreatmentSession.objects.filter(from_lot)
        .select_related("patient", "product", "indication", "practitioner")
        .annotate(total_units=Coalesce(Sum("draws__units", filter=from_lot), ZERO))
        .order_by("performed_at", "id")
    )


# Sessions -------------------------------------------------------------------------------


def session_get_for_user(*, user, public_id) -> TreatmentSession:
    """The one way views fetch a session (404 when unknown)."""
    return get_object_or_404(
        TreatmentSession.objects.select_related(
            "patient",
            "practitioner",
            "indication",
            "product",
            "vial",
            "vial__product",
            "signed_by",
            "top_up_of",
            "second_vial",
        ),
        public_id=public_id,
    )


def session_points(*, session: TreatmentSession) -> list[InjectionPoint]:
    return list(session.points.select_related("site").order_by("order", "id"))


def session_detail_related(*, session: TreatmentSession) -> dict:
    return {
        "points": session_points(session=session),
        "findings": list(session.findings.select_related("recorded_by")),
        "addenda": list(session.addenda.select_related("author")),
        "follow_ups": list(session.follow_ups.select_related("done_by")),
        "side_effects": list(session.side_effects.select_related("term")),
    }


@dataclass
class Totals:
    overall: Decimal
    sites: int
    by_muscle: list[tuple[str, Decimal]]
    by_side: list[tuple[str, Decimal]]


def point_totals(points: list[safety.PointFacts]) -> Totals:
    by_muscle: dict[str, Decimal] = {}
    by_side: dict[str, Decimal] = {}
    for point in points:
        by_muscle[point.muscle_group or point.site_name] = (
            by_muscle.get(point.muscle_group or point.site_name, Decimal(0)) + point.units
        )
        by_side[point.side] = by_side.get(point.side, Decimal(0)) + point.units
    return Totals(
        overall=sum((p.units for p in points), Decimal(0)),
        sites=sum(p.points for p in points),
        by_muscle=sorted(by_muscle.items()),
        by_side=sorted(by_side.items()),
    )


@dataclass
class TimelineEntry:
    session: TreatmentSession
    total_units: Decimal
    days_since_previous: int | None


@dataclass
class Eligibility:
    indication: str
    product_family: str
    last_on: date
    next_eligible_on: date


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    eligibility: list[Eligibility]
    cumulative_84d: list[tuple[str, Decimal]]  # unit family label, units in last 84 days


def patient_timeline(*, patient: Patient, today: date | None = None) -> Timeline:
    """Sessions newest first with their totals, the interval since the previous session,
    the next eligible date per indication and product family, and units in the last 84
    days per unit family (never added across families). Two queries."""
    today = today or timezone.localdate()
    sessions = list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("indication", "product", "practitioner", "vial")
        .annotate(total_units=Coalesce(Sum("points__units"), ZERO))
        .order_by("-performed_at", "-id")
    )
    entries = []
    for index, session in enumerate(sessions):
        previous = sessions[index + 1] if index + 1 < len(sessions) else None
        days = None
        if previous is not None:
            days = (
                timezone.localdate(session.performed_at) - timezone.localdate(previous.performed_at)
            ).days
        entries.append(TimelineEntry(session, session.total_units, days))
    guidelines = (
        {
            (g.product_id, g.indication_id): g.min_interval_days
            for g in DoseGuideline.objects.filter(
                indication__in={s.indication_id for s in sessions}
            ).only("product_id", "indication_id", "min_interval_days")
        }
        if sessions
        else {}
    )
    latest: dict[tuple[int, str], TreatmentSession] = {}
    for session in sessions:
        if session.status != SessionStatus.SIGNED:
            continue
        latest.setdefault((session.indication_id, session.product.unit_family), session)
    eligibility = []
    for (_, family), session in latest.items():
        interval = guidelines.get((session.product_id, session.indication_id)) or (
            session.indication.min_interval_days
        )
        last_on = timezone.localdate(session.performed_at)
        eligibility.append(
            Eligibility(
                indication=session.indication.name,
                product_family=UnitFamily(family).label,
                last_on=last_on,
                next_eligible_on=last_on + timedelta(days=interval),
            )
        )
    window_start = today - timedelta(days=83)
    cumulative: dict[str, Decimal] = {}
    for session in sessions:
        if session.status == SessionStatus.SIGNED and (
            timezone.localdate(session.performed_at) >= window_start
        ):
            label = UnitFamily(session.product.unit_family).label
            cumulative[label] = cumulative.get(label, Decimal(0)) + session.total_units
    return Timeline(
        entries, sorted(eligibility, key=lambda e: e.next_eligible_on), sorted(cumulative.items())
    )


# Follow-ups -----------------------------------------------------------------------------


def followup_list_open(
    *, user=None, due_by: date | None = None, limit: int | None = None
) -> list[FollowUp]:
    """Open tasks, overdue first, with their patients (one query)."""
    qs = FollowUp.objects.filter(done_at__isnull=True).select_related(
        "patient", "session", "session__indication", "assigned_to"
    )
    if user is not None:
        qs = qs.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    if due_by is not None:
        qs = qs.filter(due_on__lte=due_by)
    qs = qs.order_by("due_on", "id")
    return list(qs[:limit] if limit else qs)


def followup_list_for_patient(*, patient: Patient) -> list[FollowUp]:
    return list(patient.follow_ups.select_related("done_by").order_by("-due_on", "-id"))


# Safety engine inputs -------------------------------------------------------------------


def product_facts(product: Product) -> safety.ProductFacts:
    return safety.ProductFacts(
        slug=product.slug,
        brand=product.brand,
        unit_family=product.unit_family,
        on_formulary=product.on_formulary,
        uk_licensed=product.uk_licensed,
        needs_reconstitution=product.form == ProductForm.POWDER,
        in_use_hours=product.in_use_hours,
        milk_protein_contraindicated=product.milk_protein_contraindicated,
        cosmetic_neuromuscular_contraindicated=product.cosmetic_neuromuscular_contraindicated,
        inflammation_contraindicated=product.inflammation_contraindicated,
        cosmetic_max_age_years=product.cosmetic_max_age_years,
    )


def indication_facts(indication: Indication) -> safety.IndicationFacts:
    return safety.IndicationFacts(
        slug=indication.slug,
        name=indication.name,
        category=indication.category,
        safety_profile=indication.safety_profile,
        min_interval_days=indication.min_interval_days,
        min_age_years=indication.min_age_years,
        max_age_years=indication.max_age_years,
    )


def guideline_facts(
    product: Product | None, indication: Indication
) -> safety.GuidelineFacts | None:
    if product is None:
        return None
    guideline = DoseGuideline.objects.filter(product=product, indication=indication).first()
    if guideline is None:
        return None
    return safety.GuidelineFacts(
        licensed_uk=guideline.licensed_uk,
        source=guideline.source,
        expected_min_units=guideline.expected_min_units,
        expected_max_units=guideline.expected_max_units,
        min_interval_days=guideline.min_interval_days,
        min_age_years=guideline.min_age_years,
        min_weight_kg=guideline.min_weight_kg,
    )


def vial_units_drawn(vial: Vial, *, excluding_session_id: int | None = None) -> Decimal:
    """Units sessions have drawn from a vial (VialDraw), optionally leaving one out: the one
    sum behind reconciliation, discards, vial choice and the engine's vial.insufficient."""
    draws = VialDraw.objects.filter(vial=vial)
    if excluding_session_id is not None:
        draws = draws.exclude(session_id=excluding_session_id)
    return draws.aggregate(total=Sum("units"))["total"] or Decimal(0)


def vial_facts(
    vial: Vial | None, *, patient: Patient, session_id: int | None = None
) -> safety.VialFacts | None:
    if vial is None:
        return None
    others = frozenset(
        TreatmentSession.objects.filter(Q(vial=vial) | Q(second_vial=vial))
        .exclude(patient=patient)
        .values_list("patient_id", flat=True)
    )
    drawn_elsewhere = vial_units_drawn(vial, excluding_session_id=session_id)
    return safety.VialFacts(
        id=vial.pk,
        product_slug=vial.product.slug,
        lot=vial.lot,
        expiry=vial.expiry,
        reconstituted_at=vial.reconstituted_at,
        units_per_ml=vial.units_per_ml,
        discarded=vial.discarded_at is not None,
        other_patient_ids=others,
        remaining_units=Decimal(vial.presentation_units) - vial.wasted_units - drawn_elsewhere,
    )


def screening_facts(patient: Patient, *, on: date | None = None) -> safety.ScreeningFacts | None:
    """The latest answers given on or before the session date."""
    answers = IntakeQuestionnaire.objects.filter(patient=patient)
    if on is not None:
        answers = answers.filter(completed_on__lte=on)
    latest = answers.order_by("-completed_on", "-id").first()
    if latest is None:
        return None
    yes = YesNoNotApplicable.YES
    return safety.ScreeningFacts(
        answered_on=latest.completed_on,
        allergy_toxin_or_albumin=latest.allergy_toxin_or_albumin,
        allergy_cows_milk_protein=latest.allergy_cows_milk_protein,
        infection_at_sites=latest.infection_at_sites,
        neuromuscular_disorder=latest.neuromuscular_disorder,
        swallowing_or_breathing_problems=latest.swallowing_or_breathing_problems,
        pregnant_or_breastfeeding=latest.pregnant_or_breastfeeding == yes,
        bleeding_risk=latest.bleeding_risk,
        interacting_medicines=latest.interacting_medicines,
        bladder_infection_or_retention=latest.bladder_infection_or_retention == yes,
        can_self_catheterise=latest.can_self_catheterise == yes,
        migraine_preventives_failed=latest.migraine_preventives_failed,
    )


def patient_history_facts(
    patient: Patient, *, exclude_session_id: int | None = None, on: date | None = None
) -> safety.PatientHistory:
    """Signed sessions here and toxin reported from elsewhere, each in its own product's
    units, the latest screening answers, and the chronic-migraine diary (rule 33) from
    the outcome assessments. Four queries."""
    sessions = (
        TreatmentSession.objects.filter(patient=patient, status=SessionStatus.SIGNED)
        .exclude(pk=exclude_session_id)
        .select_related("product", "indication")
        .annotate(total_units=Coalesce(Sum("points__units"), ZERO))
    )
    doses = [
        safety.PriorDose(
            on=timezone.localdate(s.performed_at),
            product_slug=s.product.slug,
            brand=s.product.brand,
            unit_family=s.product.unit_family,
            units=s.total_units,
            indication_slug=s.indication.slug,
            session_id=s.pk,
        )
        for s in sessions
    ]
    pvr_before = any(
        s.indication.safety_profile == SafetyProfile.BLADDER and s.pvr_ml is not None
        for s in sessions
    )
    elsewhere = PriorTreatment.objects.filter(
        patient=patient, product__isnull=False
    ).select_related("product", "indication")
    doses += [
        safety.PriorDose(
            on=p.treated_on,
            product_slug=p.product.slug,
            brand=p.product.brand,
            unit_family=p.product.unit_family,
            units=p.units,
            indication_slug=p.indication.slug if p.indication else None,
            elsewhere=True,
            clinic_name=p.clinic_name,
        )
        for p in elsewhere
    ]
    screening = screening_facts(patient, on=on)
    migraine = migraine_diary_facts(
        patient,
        on=on,
        session_dates=tuple(
            timezone.localdate(s.performed_at)
            for s in sessions
            if s.indication.safety_profile == SafetyProfile.CHRONIC_MIGRAINE
            and (on is None or timezone.localdate(s.performed_at) < on)
        ),
    )
    if migraine is not None and screening is not None:
        # Rule 33's "at least 3 preventives failed" comes from the patient's questionnaire.
        migraine = dataclasses.replace(
            migraine, preventives_failed=screening.migraine_preventives_failed
        )
    return safety.PatientHistory(
        doses=tuple(sorted(doses, key=lambda d: d.on, reverse=True)),
        screening=screening,
        pvr_recorded_before=pvr_before,
        migraine=migraine,
    )


def reference_facts(product: Product | None, indication: Indication) -> safety.ReferenceFacts:
    limits = ()
    if product is not None:
        limits = tuple(
            safety.DoseLimitFacts(
                code=limit.code,
                label=limit.label,
                unit_family=limit.unit_family,
                level=safety.Level(limit.level),
                source=limit.source,
                scope=limit.scope,
                product_slug=limit.product.slug if limit.product else None,
                indication_slug=limit.indication.slug if limit.indication else None,
                population=limit.population,
                laterality=limit.laterality,
                muscle_group=limit.muscle_group,
                window_days=limit.window_days,
                max_units=limit.max_units,
                max_units_per_kg=limit.max_units_per_kg,
                max_volume_ml=limit.max_volume_ml,
                first_treatment_only=limit.first_treatment_only,
            )
            for limit in DoseLimit.objects.filter(unit_family=product.unit_family).select_related(
                "product", "indication"
            )
        )
    parameters = list(SafetyParameter.objects.all())
    return safety.ReferenceFacts(
        limits=limits,
        protocol=protocol_facts(indication, product),
        parameters={p.key: p.value for p in parameters},
        parameter_sources={p.key: p.source for p in parameters},
    )


def protocol_facts(indication: Indication, product: Product | None) -> safety.ProtocolFacts | None:
    """The protocol of this product's template for the indication: a protocol is in one
    product's units, so it is never applied to another product."""
    if product is None:
        return None
    template = (
        SiteTemplate.objects.filter(
            indication=indication, product=product, protocol_min_units__isnull=False
        )
        .prefetch_related(Prefetch("rows", queryset=SiteTemplateRow.objects.select_related("site")))
        .order_by("id")
        .first()
    )
    if template is None:
        return None
    groups: dict[str, safety.ProtocolGroup] = {}
    for row in template.rows.all():
        group = row.site.muscle_group or row.site.name
        if row.group_fixed_units is not None or row.group_max_units is not None:
            groups[group] = safety.ProtocolGroup(
                muscle_group=group,
                fixed_units=row.group_fixed_units,
                max_units=row.group_max_units,
            )
    return safety.ProtocolFacts(
        name=template.name,
        source=template.source,
        min_units=template.protocol_min_units,
        max_units=template.protocol_max_units,
        min_sites=template.protocol_min_sites,
        max_sites=template.protocol_max_sites,
        groups=tuple(groups.values()),
    )


@dataclass
class SafetyInputs:
    session: safety.ProposedSession
    history: safety.PatientHistory
    reference: safety.ReferenceFacts

    def evaluate(self) -> list[safety.Finding]:
        return safety.evaluate(self.session, self.history, self.reference)


def safety_inputs(
    *,
    patient: Patient,
    indication: Indication,
    product: Product | None,
    vial: Vial | None,
    points: list[safety.PointFacts],
    performed_at,
    fields: dict,
    session_id: int | None = None,
    second_vial: Vial | None = None,
) -> SafetyInputs:
    """Engine inputs for a session as proposed (saved or still in the form)."""
    proposed = safety.ProposedSession(
        patient_id=patient.pk,
        on=timezone.localdate(performed_at),
        at=performed_at,
        date_of_birth=patient.date_of_birth,
        indication=indication_facts(indication),
        product=product_facts(product) if product else None,
        guideline=guideline_facts(product, indication),
        vial=vial_facts(vial, patient=patient, session_id=session_id),
        extra_vials=tuple(
            v for v in [vial_facts(second_vial, patient=patient, session_id=session_id)] if v
        ),
        points=tuple(points),
        **proposed_session_fields(fields),
        session_id=session_id,
    )
    return SafetyInputs(
        session=proposed,
        history=patient_history_facts(
            patient, exclude_session_id=session_id, on=timezone.localdate(performed_at)
        ),
        reference=reference_facts(product, indication),
    )


def proposed_session_fields(fields: dict) -> dict:
    """The ProposedSession arguments that come from the session's own fields (saved, or
    typed in the form): one mapping for the form, the signing service and the demo seed."""
    return {
        "weight_kg": fields.get("weight_kg"),
        "weight_measured_on": fields.get("weight_measured_on"),
        "screening_reviewed": bool(fields.get("screening_reviewed")),
        "consent_taken": bool(fields.get("consent_taken")),
        "off_label_consent": bool(fields.get("off_label_consent")),
        "spread_advice_given": bool(fields.get("spread_advice_given")),
        "antibiotic_prophylaxis": bool(fields.get("antibiotic_prophylaxis")),
        "pvr_ml": fields.get("pvr_ml"),
        "performs_cic": bool(fields.get("performs_cic")),
        "antiplatelet_stopped_days": fields.get("antiplatelet_stopped_days"),
        "top_up_reason": fields.get("top_up_reason") or "",
    }


SESSION_SAFETY_FIELDS = (
    "weight_kg",
    "weight_measured_on",
    "screening_reviewed",
    "consent_taken",
    "off_label_consent",
    "spread_advice_given",
    "antibiotic_prophylaxis",
    "pvr_ml",
    "performs_cic",
    "antiplatelet_stopped_days",
    "top_up_reason",
)


def point_facts_from_points(points) -> list[safety.PointFacts]:
    return [
        safety.PointFacts(
            site_slug=p.site.slug,
            site_name=p.site.name,
            muscle_group=p.site.muscle_group,
            side=p.side,
            units=p.units,
            volume_ml=p.volume_ml,
            points=p.points,
        )
        for p in points
    ]


def safety_inputs_for_session(*, session: TreatmentSession) -> SafetyInputs:
    """The saved session's inputs: what session_sign enforces."""
    return safety_inputs(
        patient=session.patient,
        indication=session.indication,
        product=session.product,
        vial=session.vial,
        second_vial=session.second_vial,
        points=point_facts_from_points(session_points(session=session)),
        performed_at=session.performed_at,
        fields={name: getattr(session, name) for name in SESSION_SAFETY_FIELDS},
        session_id=session.pk,
    )


def product_list_formulary() -> list[Product]:
    return list(Product.objects.filter(on_formulary=True, uk_licensed=True).order_by("brand"))


def site_template_for(*, indication: Indication, product: Product) -> SiteTemplate | None:
    candidates = SiteTemplate.objects.filter(indication=indication).filter(
        Q(product=product) | Q(product__isnull=True)
    )
    # A template for this product wins over a generic one (NULL product) on any engine.
    return (
        candidates.order_by(F("product_id").asc(nulls_last=True), "id")
        .prefetch_related(Prefetch("rows", queryset=SiteTemplateRow.objects.select_related("site")))
        .first()
    )


def today() -> date:
    return timezone.localdate()


def followup_get(*, pk: int) -> FollowUp:
    return get_object_or_404(FollowUp.objects.select_related("patient"), pk=pk)


@dataclass
class ProductChoice:
    product: Product
    licensed: bool | None  # None: no indication chosen yet


def product_choices_for(*, indication_id) -> list[ProductChoice]:
    """Formulary products, each marked licensed or off-label for the indication (rule 32);
    licensed ones first."""
    products = product_list_formulary()
    try:
        indication_pk = int(indication_id)
    except (TypeError, ValueError):
        return [ProductChoice(p, None) for p in products]
    licensed = set(
        DoseGuideline.objects.filter(indication_id=indication_pk, licensed_uk=True).values_list(
            "product_id", flat=True
        )
    )
    choices = [ProductChoice(p, p.pk in licensed) for p in products]
    return sorted(choices, key=lambda c: (not c.licensed, c.product.brand))


def session_form_context(*, session: TreatmentSession) -> dict:
    """What shapes the session form: off-label use (rule 32) and a child patient (per-kg
    limits), decided from the same facts the engine uses."""
    on = timezone.localdate(session.performed_at)
    parameters = dict(SafetyParameter.objects.values_list("key", "value"))
    proposed = safety.ProposedSession(
        patient_id=session.patient_id,
        on=on,
        at=session.performed_at,
        date_of_birth=session.patient.date_of_birth,
        indication=indication_facts(session.indication),
        product=product_facts(session.product),
        guideline=guideline_facts(session.product, session.indication),
        vial=None,
        points=(),
    )
    child = safety.is_child(proposed, safety.ReferenceFacts(parameters=parameters))
    return {"off_label": safety.is_off_label(proposed), "child": child}


def session_list_drafts(*, practitioner) -> list[TreatmentSession]:
    """A practitioner's unsigned sessions, oldest first (chart compliance)."""
    return list(
        TreatmentSession.objects.filter(practitioner=practitioner, status=SessionStatus.DRAFT)
        .select_related("patient", "indication", "product")
        .order_by("performed_at", "id")[:20]
    )


def followup_list_due(*, user, today: date | None = None) -> list[FollowUp]:
    """Open tasks due today or overdue for this user (or unassigned)."""
    return followup_list_open(user=user, due_by=today or timezone.localdate(), limit=20)


# Outcomes -------------------------------------------------------------------------------

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


def migraine_diary_facts(
    patient: Patient, *, on: date | None = None, session_dates: tuple[date, ...] = ()
) -> safety.MigraineDiaryFacts | None:
    """Rule 33's diary from the headache-days and migraine-days scores on or before `on`:
    the baseline of each, and the headache days recorded after the baseline, oldest first.
    None when the patient has no headache-days score (the rule then stays silent). One
    query; `session_dates` are the patient's signed chronic-migraine sessions before this
    one (the cycles completed), which the caller has already read."""
    scores = OutcomeAssessment.objects.filter(
        patient=patient, instrument__slug__in=[HEADACHE_DAYS, MIGRAINE_DAYS]
    ).select_related("instrument")
    if on is not None:
        scores = scores.filter(assessed_on__lte=on)
    by_slug: dict[str, list[OutcomeAssessment]] = {HEADACHE_DAYS: [], MIGRAINE_DAYS: []}
    for score in scores.order_by("assessed_on", "id"):
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


# Side effects ---------------------------------------------------------------------------

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
AWAITING_DECISION = Q(
    status=SideEffectStatus.REVIEWED, regulator_decision=RegulatorDecision.PENDING
)


def side_effect_get(*, public_id) -> SideEffect:
    """One report with its suspected session and (as `lots`) the vials it drew from."""
    side_effect = get_object_or_404(
        SideEffect.objects.select_related(*_SIDE_EFFECT_RELATED), public_id=public_id
    )
    return _with_lots([side_effect])[0]


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


def _with_lots(side_effects: list[SideEffect]) -> list[SideEffect]:
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
    return _with_lots(
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


@dataclass
class SideEffectQueue:
    unreviewed: list[SideEffect]
    awaiting_decision: list[SideEffect]

    @property
    def serious_awaiting(self) -> list[SideEffect]:
        return [se for se in self.awaiting_decision if se.is_serious]


def side_effect_queue(*, limit: int = 100) -> SideEffectQueue:
    """The practitioners' queue: reports to complete, then decisions to record (serious
    first). Capped: the page says when there are more."""
    base = SideEffect.objects.select_related(*_SIDE_EFFECT_RELATED)
    unreviewed = list(
        base.filter(status=SideEffectStatus.UNREVIEWED).order_by("created_at", "id")[:limit]
    )
    awaiting = list(
        base.filter(AWAITING_DECISION).order_by("-is_serious", "onset_date", "id")[:limit]
    )
    return SideEffectQueue(unreviewed, _with_lots(awaiting))


def side_effect_list_unreviewed(*, limit: int = 8) -> list[SideEffect]:
    """Reports waiting for a practitioner (e.g. phoned in to reception), oldest first."""
    return list(
        SideEffect.objects.filter(status=SideEffectStatus.UNREVIEWED)
        .select_related("patient")
        .order_by("created_at", "id")[:limit]
    )


def side_effect_serious_undecided(*, limit: int = 50) -> list[SideEffect]:
    """Serious reactions with no Yellow Card decision: flagged to practitioners and
    managers until one is recorded (rule 39)."""
    return list(
        SideEffect.objects.filter(AWAITING_DECISION, is_serious=True)
        .select_related("patient", "term", "session__product")
        .order_by("onset_date", "id")[:limit]
    )


def side_effect_serious_list(*, limit: int = 200) -> list[SideEffect]:
    """The governance list: every serious reaction, undecided first."""
    return _with_lots(
        list(
            SideEffect.objects.filter(is_serious=True)
            .select_related("patient", "term", "session__product", "session__indication")
            .order_by(F("decided_at").desc(nulls_first=True), "-onset_date", "id")[:limit]
        )
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
            lots = _with_lots([se])[0].lots
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
