"""The builder of the safety engine's inputs.

`safety_inputs` turns database rows into the plain dataclasses of treatments.safety, so
the engine itself never touches the ORM and the live check and the signing service see
exactly the same facts. The session form's context (off-label use, a child patient) is
decided from the same facts."""

import dataclasses
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.prepared import Prepared, build_instance, read_side_by_side
from clinic.staff.selectors import registrations_of
from patients.choices import YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from treatments import safety
from treatments.choices import IndicationCategory, ProductForm, SafetyProfile, SessionStatus
from treatments.models import (
    Indication,
    InjectionPoint,
    OutcomeAssessment,
    OutcomeInstrument,
    PrescriberAssessment,
    Product,
    TreatmentSession,
    Vial,
)
from treatments.selectors.aggregates import ZERO
from treatments.selectors.outcomes import diary_scores_sql, migraine_diary_facts
from treatments.selectors.reference_cache import ReferenceSnapshot, reference_snapshot
from treatments.selectors.sessions import session_points
from treatments.selectors.vial_usage import VialUsage, vials_facts


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
    product: Product | None, indication: Indication, *, snapshot: ReferenceSnapshot | None = None
) -> safety.GuidelineFacts | None:
    if product is None:
        return None
    return (snapshot or reference_snapshot()).guideline(product, indication)


def _latest_answers(patient_id: int, on: date):
    return IntakeQuestionnaire.objects.filter(patient_id=patient_id, completed_on__lte=on).order_by(
        "-completed_on", "-id"
    )[:1]


# Compiled once per process (clinic.prepared): the engine's history is read on every
# session page, live re-check, draft save and signing.
_LATEST_ANSWERS = Prepared(
    _latest_answers, patient_id=(-1001, -1002), on=(date(2001, 2, 3), date(2002, 3, 4))
)


_PRIOR_DOSE_COLUMNS = 11  # the width of _prior_doses' rows


def _history_rows(
    patient: Patient,
    *,
    exclude_session_id: int | None,
    top_up_of_session_id: int | None,
    on: date | None,
    diary: bool,
) -> tuple[list[tuple], IntakeQuestionnaire | None, list[OutcomeAssessment]]:
    """The rows patient_history_facts reads, in one query (clinic.prepared's
    read_side_by_side of the compiled reads): the prior doses (_PRIOR_DOSES), the latest
    screening answers on or before `on`, and with `diary` the migraine diary's scores
    (rule 33), oldest first, each with its instrument."""
    reads = [
        (
            *_PRIOR_DOSES.sql(
                patient_id=patient.pk,
                exclude_id=exclude_session_id or 0,
                top_up_of_id=top_up_of_session_id or 0,
            ),
            _PRIOR_DOSE_COLUMNS,
        ),
        (
            *_LATEST_ANSWERS.sql(patient_id=patient.pk, on=on or date.max),
            len(IntakeQuestionnaire._meta.concrete_fields),
        ),
    ]
    own = len(OutcomeAssessment._meta.concrete_fields)
    if diary:
        reads.append(
            (*diary_scores_sql(patient, on=on), own + len(OutcomeInstrument._meta.concrete_fields))
        )
    doses, answers, *scores = read_side_by_side(*reads)
    latest = build_instance(IntakeQuestionnaire, answers[0]) if answers else None
    built = []
    for row in scores[0] if scores else ():
        score = build_instance(OutcomeAssessment, row[:own])
        score.instrument = build_instance(OutcomeInstrument, row[own:])
        built.append(score)
    # Oldest first, as the scores' own read orders them (the join keeps no order).
    built.sort(key=lambda a: (a.assessed_on, a.pk))
    return _PRIOR_DOSES.converted(doses), latest, built


def screening_facts(
    patient: Patient, *, on: date | None = None, latest: IntakeQuestionnaire | None = None
) -> safety.ScreeningFacts | None:
    """The latest answers given on or before the session date (any date without one): one
    query, none when the caller read them (`latest`)."""
    if latest is None:
        found = _LATEST_ANSWERS.list(patient_id=patient.pk, on=on or date.max)
        if not found:
            return None
        latest = found[0]
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
        urinary_infection=latest.urinary_infection == yes,
        urinary_retention=latest.urinary_retention == yes,
        can_self_catheterise=latest.can_self_catheterise == yes,
        migraine_preventives_failed=latest.migraine_preventives_failed,
        patient_sex=patient.sex,
    )


def _prior_doses(patient_id: int, exclude_id: int, top_up_of_id: int):
    here = (
        TreatmentSession.objects.filter(patient_id=patient_id, status=SessionStatus.SIGNED)
        .exclude(pk=exclude_id)
        .order_by()
        .annotate(
            given_on=Value(None, output_field=DateField()),
            total_units=Coalesce(Sum("points__units"), ZERO),
            here_clinic=Value("", output_field=CharField()),
            here_other=Value("", output_field=CharField()),
            no_side=Value("", output_field=CharField()),
            no_group=Value("", output_field=CharField()),
        )
        .values_list(
            "performed_at",
            "given_on",
            "product_id",
            "indication_id",
            "total_units",
            "pk",
            "pvr_ml",
            "here_clinic",
            "here_other",
            "no_side",
            "no_group",
        )
    )
    # Toxin given elsewhere counts whether or not its product is on our list: one named
    # only in "product if not listed" is a dose of unknown unit family (rule 2).
    elsewhere = (
        PriorTreatment.objects.filter(patient_id=patient_id)
        .order_by()
        .annotate(
            no_time=Value(None, output_field=DateTimeField()),
            no_pvr=Value(None, output_field=IntegerField()),
            no_side=Value("", output_field=CharField()),
            no_group=Value("", output_field=CharField()),
        )
        .values_list(
            "no_time",
            "treated_on",
            "product_id",
            "indication_id",
            "units",
            "pk",
            "no_pvr",
            "clinic_name",
            "product_other",
            "no_side",
            "no_group",
        )
    )
    # Rule 20: the points of the index session this top-up is linked to (its units per
    # muscle group and side count in the episode), with no dates: told apart by that.
    index_points = (
        InjectionPoint.objects.filter(
            session_id=top_up_of_id,
            session__patient_id=patient_id,
            session__status=SessionStatus.SIGNED,
        )
        .exclude(session_id=exclude_id)
        .order_by()
        .annotate(
            no_time=Value(None, output_field=DateTimeField()),
            no_date=Value(None, output_field=DateField()),
            no_product=Value(None, output_field=IntegerField()),
            no_indication=Value(None, output_field=IntegerField()),
            no_pvr=Value(None, output_field=IntegerField()),
            no_clinic=Value("", output_field=CharField()),
            no_other=Value("", output_field=CharField()),
        )
        .values_list(
            "no_time",
            "no_date",
            "no_product",
            "no_indication",
            "units",
            "session_id",
            "no_pvr",
            "no_clinic",
            "no_other",
            "side",
            "site__muscle_group",
        )
    )
    return here.union(elsewhere, index_points, all=True)


# Compiled once per process (clinic.prepared); ids are never 0, so excluding id 0 is
# excluding nothing, and a top-up of id 0 is no top-up (one shape for every caller).
_PRIOR_DOSES = Prepared(
    _prior_doses,
    patient_id=(-1001, -1002),
    exclude_id=(-3001, -3002),
    top_up_of_id=(-5001, -5002),
)


def _prior_dose_rows(found: list[tuple]):
    """The patient's signed sessions here (their points' units summed) and the toxin given
    elsewhere, as one UNION ALL of rows (performed_at, treated_on, product_id,
    indication_id, units, id, pvr_ml, clinic_name, product_other, side, muscle_group;
    performed_at is empty for a dose from elsewhere, product_id too for a product not on
    our list), with the points of the index session a top-up is linked to (both dates
    empty; units, session id, side, muscle group): one query. The doses in the engine's
    order: the latest day first, and on one day the sessions here (latest first), then the
    doses from elsewhere (newest row first); and the index session's points. `found`: the
    rows as _PRIOR_DOSES reads them."""
    rows, index_points = [], []
    for row in found:
        performed_at, treated_on = row[0], row[1]
        if performed_at is None and treated_on is None:
            index_points.append(
                safety.PointFacts(
                    site_slug="", site_name="", muscle_group=row[10], side=row[9], units=row[4]
                )
            )
            continue
        on = timezone.localdate(performed_at) if performed_at is not None else treated_on
        rows.append((on, row))
    rows.sort(
        key=lambda item: (
            -item[0].toordinal(),
            item[1][0] is None,
            -item[1][0].timestamp() if item[1][0] is not None else 0,
            -item[1][5],
        )
    )
    return rows, tuple(index_points)


def patient_history_facts(
    patient: Patient,
    *,
    exclude_session_id: int | None = None,
    on: date | None = None,
    cosmetic: bool = True,
    chronic_migraine: bool = True,
    snapshot: ReferenceSnapshot | None = None,
    top_up_of_session_id: int | None = None,
) -> safety.PatientHistory:
    """Signed sessions here and toxin reported from elsewhere, each in its own product's
    units, with the points of the index session a top-up is linked to (rule 20)
    (products and indications from the reference snapshot), the latest screening
    answers, and for a chronic-migraine session the diary (rule 33) from the outcome
    assessments: one query (_history_rows; two for a cosmetic session: rule 34's
    assessment)."""
    snapshot = snapshot or reference_snapshot()
    products, indications = snapshot.products, snapshot.indications
    doses = []
    pvr_before = False
    migraine_dates = []
    # Rule 33 reads the diary for chronic-migraine sessions only: none read for the others.
    found, answers, scores = _history_rows(
        patient,
        exclude_session_id=exclude_session_id,
        top_up_of_session_id=top_up_of_session_id,
        on=on,
        diary=chronic_migraine,
    )
    rows, index_points = _prior_dose_rows(found)
    for given_on, row in rows:
        performed_at, _, product_id, indication_id, units, row_id, pvr_ml, clinic, other = row[:9]
        product = products[product_id] if product_id is not None else None
        indication = indications.get(indication_id)
        here = performed_at is not None
        doses.append(
            safety.PriorDose(
                on=given_on,
                # A product not on our list: its name as recorded, of unknown unit family.
                product_slug=product.slug if product else "",
                brand=product.brand if product else (other.strip() or "Toxin, product not named"),
                unit_family=product.unit_family if product else "",
                units=units,
                indication_slug=indication.slug if indication else None,
                indication_name=indication.name if indication else "",
                indication_category=indication.category if indication else "",
                session_id=row_id if here else None,
                elsewhere=not here,
                clinic_name=clinic,
                points=index_points if here and row_id == top_up_of_session_id else (),
            )
        )
        if not here:
            continue
        if indication.safety_profile == SafetyProfile.BLADDER and pvr_ml is not None:
            pvr_before = True
        if indication.safety_profile == SafetyProfile.CHRONIC_MIGRAINE and (
            on is None or given_on < on
        ):
            migraine_dates.append(given_on)
    screening = screening_facts(patient, on=on, latest=answers) if answers else None
    migraine = (
        migraine_diary_facts(patient, on=on, session_dates=tuple(migraine_dates), scores=scores)
        if chronic_migraine
        else None
    )
    if migraine is not None and screening is not None:
        # Rule 33's "at least 3 preventives failed" comes from the patient's questionnaire.
        migraine = dataclasses.replace(
            migraine, preventives_failed=screening.migraine_preventives_failed
        )
    return safety.PatientHistory(
        doses=tuple(doses),
        screening=screening,
        pvr_recorded_before=pvr_before,
        migraine=migraine,
        # Rule 34 reads it for cosmetic sessions only: no query for the others.
        prescriber_assessment=prescriber_assessment_facts(patient, on=on) if cosmetic else None,
    )


def prescriber_assessment_facts(
    patient: Patient, *, on: date | None = None
) -> safety.PrescriberAssessmentFacts | None:
    """The latest face-to-face prescriber assessment on or before the session date (rule
    34). One query."""
    assessments = PrescriberAssessment.objects.filter(patient=patient)
    if on is not None:
        assessments = assessments.filter(assessed_on__lte=on)
    latest = assessments.select_related("prescriber").order_by("-assessed_on", "-id").first()
    if latest is None:
        return None
    return safety.PrescriberAssessmentFacts(
        assessed_on=latest.assessed_on,
        prescriber=latest.prescriber.get_full_name() or latest.prescriber.get_username(),
    )


def reference_facts(
    product: Product | None, indication: Indication, *, snapshot: ReferenceSnapshot | None = None
) -> safety.ReferenceFacts:
    """Dose limits of the product's unit family, every safety parameter and the protocol,
    from the per-process reference copy (treatments.selectors.reference_cache)."""
    snapshot = snapshot or reference_snapshot()
    return dataclasses.replace(
        snapshot.reference(product), protocol=snapshot.protocol(indication, product)
    )


def protocol_facts(
    indication: Indication, product: Product | None, *, snapshot: ReferenceSnapshot | None = None
) -> safety.ProtocolFacts | None:
    """The protocol of this product's template for the indication: a protocol is in one
    product's units, so it is never applied to another product."""
    return (snapshot or reference_snapshot()).protocol(indication, product)


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
    further_vials: list[Vial] | tuple[Vial, ...] = (),
    snapshot: ReferenceSnapshot | None = None,
    usage: VialUsage | None = None,
    practitioner_id: int | None = None,
) -> SafetyInputs:
    """Engine inputs for a session as proposed (saved or still in the form). `snapshot`:
    the request's reference data, when the caller already has it; `usage`: the vials'
    draws and other patients (vial_usage), when the caller has read them;
    `practitioner_id`: the treating practitioner (rule 29b; None counts as no doctor)."""
    snapshot = snapshot or reference_snapshot()
    vials = vials_facts(
        [vial, *(v for v in dict.fromkeys(further_vials) if v is not None and v != vial)]
        if vial is not None
        else [v for v in dict.fromkeys(further_vials) if v is not None],
        patient=patient,
        session_id=session_id,
        drawn_elsewhere=usage.drawn_elsewhere if usage else None,
        other_patients=usage.other_patients if usage else None,
    )
    first, extra = (vials[0], vials[1:]) if vial is not None else (None, vials)
    proposed = safety.ProposedSession(
        patient_id=patient.pk,
        on=timezone.localdate(performed_at),
        at=performed_at,
        date_of_birth=patient.date_of_birth,
        indication=indication_facts(indication),
        product=product_facts(product) if product else None,
        guideline=guideline_facts(product, indication, snapshot=snapshot),
        vial=first,
        extra_vials=tuple(extra),
        points=tuple(points),
        **proposed_session_fields(fields),
        session_id=session_id,
    )
    proposed = with_doctor_facts(
        proposed,
        practitioner_id=practitioner_id,
        directing_doctor_id=_pk(fields.get("directing_doctor", fields.get("directing_doctor_id"))),
        parameters=snapshot.parameters,
    )
    return SafetyInputs(
        session=proposed,
        history=patient_history_facts(
            patient,
            exclude_session_id=session_id,
            on=timezone.localdate(performed_at),
            cosmetic=indication.category == IndicationCategory.COSMETIC,
            chronic_migraine=indication.safety_profile == SafetyProfile.CHRONIC_MIGRAINE,
            snapshot=snapshot,
            top_up_of_session_id=proposed.top_up_of_session_id,
        ),
        reference=reference_facts(product, indication, snapshot=snapshot),
    )


def with_doctor_facts(
    proposed: safety.ProposedSession,
    *,
    practitioner_id: int | None,
    directing_doctor_id: int | None,
    parameters,
) -> safety.ProposedSession:
    """Rule 29b's facts: whether the treating practitioner is a registered medical
    practitioner or a regulated health professional, and whether the directing doctor is a
    registered medical practitioner. Read (one query) only for a patient under
    adult_age_years on the session date, the only one the rule concerns: an adult's
    session costs no query."""
    if not safety.is_child(proposed, safety.ReferenceFacts(parameters=parameters)):
        return proposed
    registered = registrations_of([practitioner_id, directing_doctor_id])
    return dataclasses.replace(
        proposed,
        practitioner_is_doctor=practitioner_id in registered.doctors,
        practitioner_is_regulated=practitioner_id in registered.regulated,
        directing_doctor_is_doctor=directing_doctor_id is not None
        and directing_doctor_id in registered.doctors,
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
        "top_up_of_session_id": _pk(fields.get("top_up_of", fields.get("top_up_of_id"))),
        "looks_young": bool(fields.get("looks_young")),
        "age_evidence_seen": fields.get("age_evidence_seen") or "",
    }


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


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
    "top_up_of_id",  # a saved session's link, without loading the index session
    "looks_young",
    "age_evidence_seen",
    "directing_doctor_id",  # rule 29b, without loading the user
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


def safety_inputs_for_session(
    *,
    session: TreatmentSession,
    links: list | None = None,
    points: list | None = None,
    snapshot: ReferenceSnapshot | None = None,
    usage: VialUsage | None = None,
) -> SafetyInputs:
    """The saved session's inputs: what session_sign enforces. `links` (its further vials,
    with `vial__product`), `points` (with `site`) and the vials' `usage` when the caller
    has read them."""
    if links is None:
        links = list(session.vial_links.select_related("vial__product").order_by("position", "id"))
    if points is None:
        points = session_points(session=session)
    return safety_inputs(
        patient=session.patient,
        indication=session.indication,
        product=session.product,
        vial=session.vial,
        further_vials=[link.vial for link in links],
        points=point_facts_from_points(points),
        performed_at=session.performed_at,
        fields={name: getattr(session, name) for name in SESSION_SAFETY_FIELDS},
        session_id=session.pk,
        snapshot=snapshot,
        usage=usage,
        practitioner_id=session.practitioner_id,
    )


def session_form_context(
    *, session: TreatmentSession, snapshot: ReferenceSnapshot | None = None
) -> dict:
    """What shapes the session form: off-label use (rule 32) and a child patient (per-kg
    limits), decided from the same facts the engine uses."""
    snapshot = snapshot or reference_snapshot()
    on = timezone.localdate(session.performed_at)
    parameters = snapshot.parameters
    proposed = safety.ProposedSession(
        patient_id=session.patient_id,
        on=on,
        at=session.performed_at,
        date_of_birth=session.patient.date_of_birth,
        indication=indication_facts(session.indication),
        product=product_facts(session.product),
        guideline=guideline_facts(session.product, session.indication, snapshot=snapshot),
        vial=None,
        points=(),
    )
    child = safety.is_child(proposed, safety.ReferenceFacts(parameters=parameters))
    return {"off_label": safety.is_off_label(proposed), "child": child}


def prescriber_assessment_list(*, patient: Patient) -> list[PrescriberAssessment]:
    """The patient's face-to-face prescriber assessments, newest first (one query)."""
    return list(
        PrescriberAssessment.objects.filter(patient=patient)
        .select_related("prescriber")
        .order_by("-assessed_on", "-id")
    )
