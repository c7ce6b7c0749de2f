"""DOMAIN §10 rules 21-25: contraindications and cautions from the screening answers."""

from __future__ import annotations

from treatments.safety.levels import Finding, Level
from treatments.safety.measures import _age, _is_cosmetic
from treatments.safety.messages import _d, _finding, _param_source, _source
from treatments.safety.parameters import _param

# patients.Sex values: only "male" is never asked about pregnancy again ("not-known",
# "indeterminate" and a sex not supplied are asked: the safe side).
_NEVER_PREGNANT = ("male",)


def could_be_pregnant(session, screening, reference) -> bool:
    """Rule 27's "women of childbearing potential": not recorded male, and of an age within
    the reference data's childbearing range on the session date."""
    if screening.patient_sex in _NEVER_PREGNANT:
        return False
    age = _age(session)
    low = _param(reference, "childbearing_min_age_years")
    high = _param(reference, "childbearing_max_age_years")
    return low <= age <= high


def screening_on_file(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    screening = history.screening
    if screening is None:
        findings += _finding(
            "screening.missing",
            Level.BLOCK,
            "No screening questionnaire on file: the patient must answer it before treatment",
            "DOMAIN §6.3; §10 rules 21-28",
        )
    elif screening.answered_on < session.on and could_be_pregnant(session, screening, reference):
        # Rule 27: asked at every session. A WARN, acknowledged at signing (recorded with
        # who and when), is what the practitioner completes at the chair; a "yes" is
        # recorded as a new questionnaire, which rule 27 then acts on (BLOCK cosmetic,
        # OVERRIDE therapeutic).
        findings += _finding(
            "screening.pregnancy_not_asked_today",
            Level.WARN,
            f"Pregnancy and breastfeeding were last answered on {_d(screening.answered_on)}: "
            f"ask the patient today. If she is pregnant, trying to conceive or breastfeeding, "
            f"do not sign: record a new screening questionnaire with her answer",
            _source(
                "DOMAIN §10 rule 27; §3.6; S99",
                _param_source(
                    reference, "childbearing_min_age_years", "childbearing_max_age_years"
                ),
            ),
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
    """Rule 21: a documented hypersensitivity to any botulinum toxin, from the screening
    answers and from the reactions recorded here after a toxin (practitioner review
    07/12/2026: an anaphylaxis recorded as a side effect left the next session, of another
    brand, without a finding). A reaction assessed as unlikely to be the toxin's is shown,
    as a warning; any other, assessed or not yet, blocks."""
    findings: list[Finding] = []
    screening = history.screening
    if screening is not None and screening.allergy_toxin_or_albumin:
        findings += _finding(
            "contra.hypersensitivity",
            Level.BLOCK,
            "Screening: allergic reaction to a botulinum toxin or human albumin: contraindicated",
            "DOMAIN §10 rule 21; S21; S99",
        )
    on = session.on
    reactions = [r for r in history.reactions if r.hypersensitivity]
    documented = [r for r in reactions if r.causality != "unlikely" and r.onset_on <= on]
    after = [r for r in reactions if r.causality != "unlikely" and r.onset_on > on]
    unlikely = [r for r in reactions if r.causality == "unlikely"]
    awaiting = [r for r in history.reactions if not r.hypersensitivity and not r.reviewed]
    if documented:
        findings += _finding(
            "contra.hypersensitivity_recorded",
            Level.BLOCK,
            f"Recorded here: {_reactions(documented)}. A hypersensitivity reaction to a "
            f"botulinum toxin contraindicates every toxin product: do not treat, and "
            f"withdraw this draft",
            "DOMAIN §10 rule 21; §4.1; S21; S99; S109",
        )
    if after:
        # A session dated before the reaction (one recorded late, or a draft left open):
        # the record of a treatment given then is not refused, but treating now would be.
        findings += _finding(
            "contra.hypersensitivity_since",
            Level.WARN,
            f"Recorded after this session's date: {_reactions(after)}. If the treatment is "
            f"today, do not treat: a hypersensitivity reaction to a botulinum toxin "
            f"contraindicates every toxin product",
            "DOMAIN §10 rule 21; §4.1; S21; S99; S109",
        )
    if unlikely:
        findings += _finding(
            "contra.hypersensitivity_unlikely",
            Level.WARN,
            f"Recorded here and assessed as unlikely to be the toxin's: {_reactions(unlikely)}. "
            f"Confirm with the patient before treating",
            "DOMAIN §10 rule 21; §4.1; S109",
        )
    if awaiting:
        # Reception logs a call without a term ("lips swelled, hives"): until a practitioner
        # has reviewed it, it may be a hypersensitivity reaction.
        dates = ", ".join(_d(r.onset_on) for r in awaiting)
        findings += _finding(
            "side_effect.awaiting_review",
            Level.WARN,
            f"{len(awaiting)} side-effect report{'s' if len(awaiting) > 1 else ''} awaiting "
            f"a practitioner's review (onset {dates}): review before treating. A "
            f"hypersensitivity reaction to a toxin would contraindicate it",
            "DOMAIN §10 rules 21, 38; §4.1",
        )
    return findings


def _reactions(reactions) -> str:
    """Each reaction as "Anaphylaxis on 02/03/2026 after Azzalure (causality: probable)"."""
    said = []
    for r in reactions:
        after = f" after {r.brand}" if r.brand else ""
        assessed = (
            f"causality: {r.causality_label or r.causality}"
            if r.causality
            else "causality not yet assessed"
        )
        said.append(f"{r.term} on {_d(r.onset_on)}{after} ({assessed})")
    return "; ".join(said)


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
