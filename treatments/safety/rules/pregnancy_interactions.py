"""DOMAIN §10 rules 27-28: pregnancy and breastfeeding, bleeding risk and interacting medicines."""

from __future__ import annotations

from treatments.safety.levels import Finding, Level
from treatments.safety.measures import _is_cosmetic
from treatments.safety.messages import _finding
from treatments.safety.rules.bladder import antiplatelet_outstanding


def pregnancy(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.pregnant_or_breastfeeding:
        return []
    if _is_cosmetic(session):
        return _finding(
            "contra.pregnancy",
            Level.BLOCK,
            "Screening: pregnant, trying to conceive or breastfeeding: defer cosmetic treatment",
            "DOMAIN §10 rule 27; S99; S33; S57",
        )
    return _finding(
        "caution.pregnancy",
        Level.OVERRIDE,
        "Screening: pregnant, trying to conceive or breastfeeding: treat only with a "
        "documented risk-benefit decision; record the reason",
        "DOMAIN §10 rule 27; S99; S33; S57",
    )


def bleeding_and_interactions(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None:
        return []
    findings: list[Finding] = []
    if screening.bleeding_risk:
        findings += _bleeding(session, reference)
    if screening.interacting_medicines:
        findings += _finding(
            "caution.interactions",
            Level.WARN,
            "Screening: aminoglycosides, spectinomycin, neuromuscular blockers, muscle "
            "relaxants, anticholinergics or magnesium: the toxin effect may be potentiated",
            "DOMAIN §10 rule 28; S89; S40; S53b",
        )
    return findings


def _bleeding(session, reference) -> list[Finding]:
    if session.indication.safety_profile != "bladder":
        return _finding(
            "caution.bleeding",
            Level.WARN,
            "Screening: blood thinners or a bleeding disorder: risk of bruising and haematoma",
            "DOMAIN §10 rule 28; S90",
        )
    if antiplatelet_outstanding(session, reference):
        return []  # bladder.antiplatelet (rule 26) already warns about the bleeding risk
    # An antiplatelet stop is recorded, but an anticoagulant (warfarin, a DOAC) or a
    # bleeding disorder is not covered by it.
    return _finding(
        "caution.bleeding",
        Level.WARN,
        "Screening: blood thinners or a bleeding disorder: an antiplatelet stop is recorded, "
        "but anticoagulants and bleeding disorders still carry a risk of bleeding at "
        "cystoscopic injection; check anticoagulants are managed",
        "DOMAIN §10 rule 28; S90",
    )
