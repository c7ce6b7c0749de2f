"""The rule registry: every rule of DOMAIN §10, in the order evaluate() runs them.

A rule is a function `(session, history, reference) -> list[Finding]` in the module of its
§10 family under `treatments.safety.rules`. A new rule is written there and listed here;
the order only decides the order of findings within one level.
"""

from __future__ import annotations

from collections.abc import Callable

from treatments.safety.facts import PatientHistory, ProposedSession, ReferenceFacts
from treatments.safety.levels import Finding
from treatments.safety.rules import (
    age_licensing,
    bladder,
    consent,
    contraindications,
    dose_limits,
    intervals,
    nice,
    pregnancy_interactions,
    protocols,
    vials_products,
)

Rule = Callable[[ProposedSession, PatientHistory, ReferenceFacts], list[Finding]]

RULES: tuple[Rule, ...] = (
    # First, what says this patient must not be treated (a recorded reaction, an allergy,
    # an infection at the site, a neuromuscular disorder): read before the steps still to
    # take (practitioner review 07/12/2026: Lucy Peters' recorded reaction to BOTOX came
    # third of five blocks, after "no vial chosen" and "screening not reviewed").
    contraindications.hypersensitivity,
    contraindications.infection,
    contraindications.milk_protein,
    contraindications.neuromuscular,
    vials_products.product_missing,
    vials_products.other_family_history,
    vials_products.vial_identity,
    vials_products.vial_product_and_state,
    vials_products.vial_reconstitution,
    vials_products.vial_other_patient,
    vials_products.vial_capacity,
    vials_products.volume_mismatch,
    vials_products.formulary,
    dose_limits.dose_limits,
    dose_limits.child_weight,
    protocols.protocol_totals,
    protocols.protocol_groups,
    protocols.protocol_off_label_product,
    dose_limits.label_dose,
    intervals.interval_too_soon,
    intervals.interval_top_up,
    intervals.unsigned_elsewhere,
    contraindications.screening_on_file,
    contraindications.dysphagia,
    bladder.bladder_screening,
    bladder.bladder_session,
    pregnancy_interactions.pregnancy,
    pregnancy_interactions.bleeding_and_interactions,
    age_licensing.cosmetic_minimum_age,
    age_licensing.child_needs_doctor,
    age_licensing.cosmetic_age_verification,
    age_licensing.cosmetic_older,
    age_licensing.therapeutic_minimums,
    age_licensing.off_label_consent,
    consent.prescriber_assessment,
    consent.consent,
    consent.spread_advice,
    nice.nice_continuation,
)
