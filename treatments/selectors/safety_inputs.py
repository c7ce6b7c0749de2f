"""The builder of the safety engine's inputs.

`safety_inputs` turns database rows into the plain dataclasses of treatments.safety, so
the engine itself never touches the ORM and the live check and the signing service see
exactly the same facts. The session form's context (off-label use, a child patient) is
decided from the same facts. The patient's history (prior doses, screening, the migraine
diary, the prescriber's assessment) is read by treatments.selectors.patient_history."""

import dataclasses
from dataclasses import dataclass

from django.utils import timezone

from clinic.staff.selectors import registrations_of
from patients.models import Patient
from treatments import safety
from treatments.choices import IndicationCategory, ProductForm, SafetyProfile
from treatments.models import (
    Indication,
    Product,
    TreatmentSession,
    Vial,
)
from treatments.selectors.patient_history import patient_history_facts
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
        # In the clinic's time, whatever the source (a form's is, a saved row's is UTC):
        # the engine's messages print the times it is given in their own zone.
        at=timezone.localtime(performed_at),
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
        at=timezone.localtime(session.performed_at),
        date_of_birth=session.patient.date_of_birth,
        indication=indication_facts(session.indication),
        product=product_facts(session.product),
        guideline=guideline_facts(session.product, session.indication, snapshot=snapshot),
        vial=None,
        points=(),
    )
    child = safety.is_child(proposed, safety.ReferenceFacts(parameters=parameters))
    return {"off_label": safety.is_off_label(proposed), "child": child}
