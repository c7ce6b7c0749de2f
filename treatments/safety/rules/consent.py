"""DOMAIN §10 rules 34, 35 and 40: the prescriber's face-to-face assessment before a first
cosmetic treatment, consent for the episode and the safety-net advice."""

from __future__ import annotations

from treatments.safety.levels import Finding, Level
from treatments.safety.measures import COSMETIC, _is_cosmetic
from treatments.safety.messages import _d, _finding


def consent(session, history, reference) -> list[Finding]:
    if session.consent_taken:
        return []
    return _finding(
        "consent.missing",
        Level.BLOCK,
        "Consent for this treatment episode has not been recorded",
        "DOMAIN §10 rule 35; S73; S71",
    )


def spread_advice(session, history, reference) -> list[Finding]:
    if session.spread_advice_given:
        return []
    return _finding(
        "advice.spread_not_given",
        Level.BLOCK,
        "Advice not recorded: seek urgent care for swallowing, speech or breathing problems "
        "up to 4 weeks after injection",
        "DOMAIN §10 rule 40; S89; S56",
    )


def prescriber_assessment(session, history, reference) -> list[Finding]:
    """Rule 34: a cosmetic first treatment (no signed cosmetic session here before) needs a
    prescriber's face-to-face assessment of this patient, recorded on or before the day."""
    if not _is_cosmetic(session):
        return []
    assessment = history.prescriber_assessment
    if assessment is not None and assessment.assessed_on <= session.on:
        return []
    if any(dose.session_id and dose.indication_category == COSMETIC for dose in history.doses):
        return []
    return _finding(
        "prescriber.assessment_missing",
        Level.BLOCK,
        "First cosmetic treatment: no face-to-face assessment by a prescriber is recorded "
        f"for this patient on or before {_d(session.on)}; a cosmetic POM needs one (record it "
        "on the patient's page)",
        "DOMAIN §10 rule 34; S72; S76",
    )
