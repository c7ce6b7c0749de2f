"""DOMAIN §10 rules 21-25: contraindications and cautions from the screening answers."""

from __future__ import annotations

from treatments.safety.levels import Finding, Level
from treatments.safety.measures import _is_cosmetic
from treatments.safety.messages import _finding


def screening_on_file(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    if history.screening is None:
        findings += _finding(
            "screening.missing",
            Level.BLOCK,
            "No screening questionnaire on file: the patient must answer it before treatment",
            "DOMAIN §6.3; §10 rules 21-28",
        )
    if not session.screening_reviewed:
        findings += _finding(
            "screening.not_reviewed",
            Level.BLOCK,
            "Today's screening answers have not been reviewed with the patient",
            "DOMAIN §6.3; §10 rules 21-28",
        )
    return findings


def hypersensitivity(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.allergy_toxin_or_albumin:
        return []
    return _finding(
        "contra.hypersensitivity",
        Level.BLOCK,
        "Screening: allergic reaction to a botulinum toxin or human albumin: contraindicated",
        "DOMAIN §10 rule 21; S21; S99",
    )


def infection(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.infection_at_sites:
        return []
    product = session.product
    inflammation = product is not None and product.inflammation_contraindicated
    what = "infection or inflammation" if inflammation else "infection"
    brand = f" for {product.brand}" if inflammation else ""
    return _finding(
        "contra.infection",
        Level.BLOCK,
        f"Screening: {what} at the planned injection sites is a contraindication{brand}: "
        f"defer the session",
        "DOMAIN §10 rule 22; S21; S33",
    )


def milk_protein(session, history, reference) -> list[Finding]:
    screening, product = history.screening, session.product
    if screening is None or product is None:
        return []
    if not (screening.allergy_cows_milk_protein and product.milk_protein_contraindicated):
        return []
    return _finding(
        "contra.milk_protein",
        Level.BLOCK,
        f"Screening: cow's milk protein allergy: {product.brand} is contraindicated",
        "DOMAIN §10 rule 23; S91",
    )


def neuromuscular(session, history, reference) -> list[Finding]:
    screening, product = history.screening, session.product
    if screening is None or not screening.neuromuscular_disorder:
        return []
    if _is_cosmetic(session) and product and product.cosmetic_neuromuscular_contraindicated:
        return _finding(
            "contra.neuromuscular",
            Level.BLOCK,
            f"Screening: neuromuscular disorder (myasthenia gravis, Lambert-Eaton, ALS or "
            f"other): {product.brand} is contraindicated for cosmetic use",
            "DOMAIN §10 rule 24; S99; S33; S30b",
        )
    return _finding(
        "caution.neuromuscular",
        Level.OVERRIDE,
        "Screening: neuromuscular disorder: extreme caution, specialist only, and only if "
        "the benefit outweighs the risk; record the reason",
        "DOMAIN §10 rule 24; S89; S99",
    )


def dysphagia(session, history, reference) -> list[Finding]:
    screening = history.screening
    if screening is None or not screening.swallowing_or_breathing_problems:
        return []
    return _finding(
        "caution.dysphagia",
        Level.WARN,
        "Screening: difficulty swallowing or breathing, aspiration or chest problems: "
        "extreme caution (distant spread of toxin effect)",
        "DOMAIN §10 rule 25; S89",
    )
