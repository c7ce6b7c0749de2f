"""DOMAIN §10 rules 29-32 (and 29b): age limits, cosmetic age cautions, who may treat a
child, and licensed versus off-label use."""

from __future__ import annotations

from treatments.safety.facts import ProposedSession
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import (
    INVESTIGATIONAL,
    OFF_LABEL,
    THERAPEUTIC,
    _age,
    _below_licensed_weight,
    _is_cosmetic,
    age_years,
    is_child,
    licensed_min_age,
)
from treatments.safety.messages import _d, _finding, _num, _param_source, _source
from treatments.safety.parameters import _param


def is_off_label(session: ProposedSession) -> bool:
    """Rule 32: licensed only when a UK-licensed guideline row exists for the product and
    indication, the indication is not itself off-label/investigational, and the patient is
    within the guideline's (or indication's) age and weight."""
    guideline = session.guideline
    if guideline is None or not guideline.licensed_uk:
        return True
    if session.indication.category in (OFF_LABEL, INVESTIGATIONAL):
        return True
    age = age_years(session.date_of_birth, session.on)
    min_age = licensed_min_age(session)
    if min_age is not None and age < min_age:
        return True
    max_age = session.indication.max_age_years
    if max_age is not None and age > max_age:
        return True
    return _below_licensed_weight(session)


def cosmetic_minimum_age(session, history, reference) -> list[Finding]:
    minimum = _param(reference, "cosmetic_min_age_years")
    if not _is_cosmetic(session) or _age(session) >= minimum:
        return []
    return _finding(
        "age.cosmetic_under_18",
        Level.BLOCK,
        f"Patient is {_age(session)} on {_d(session.on)}: cosmetic toxin treatment under "
        f"{_num(minimum)} is an offence in England",
        _source("DOMAIN §10 rule 29; S74", _param_source(reference, "cosmetic_min_age_years")),
    )


def child_needs_doctor(session, history, reference) -> list[Finding]:
    """Rule 29b, any indication. The Botulinum Toxin and Cosmetic Fillers (Children) Act
    2021 s1(1) makes giving botulinum toxin to a person under 18 an offence, whatever the
    purpose; s1(4) gives the defences: (a) a registered medical practitioner gives it, or
    (b) a regulated health professional (s1(7): a registered nurse, dentist or pharmacist)
    gives it on a registered medical practitioner's directions; s2 makes a business that
    has anyone else give it, or arranges it, liable too. s1(4)(c), a reasonable belief that
    the patient is 18 or over, cannot hold for a date of birth on record. BLOCK as DOMAIN
    §10 asks: the text of s1 and s2 was checked (legislation.gov.uk/ukpga/2021/19)."""
    if not is_child(session, reference):
        return []
    if session.practitioner_is_doctor:
        return []
    if session.directing_doctor_is_doctor and session.practitioner_is_regulated:
        return []
    under = _num(_param(reference, "adult_age_years"))
    if session.directing_doctor_is_doctor:
        what = (
            "A doctor's directions do not cover the treating practitioner, who is not "
            "recorded as a registered nurse, dentist or pharmacist: have a doctor treat, or "
            "ask a manager to record the practitioner's registration on the staff page"
        )
    else:
        what = "Have a doctor treat, or record the directing doctor"
    return _finding(
        "age.child_needs_doctor",
        Level.BLOCK,
        f"Patient is {_age(session)} on {_d(session.on)}: under the Botulinum Toxin and "
        f"Cosmetic Fillers (Children) Act 2021, toxin for a person under {under} must be "
        "given by a registered medical practitioner, or by a registered nurse, dentist or "
        f"pharmacist on a doctor's directions. {what}",
        _source(
            "DOMAIN §10 rule 29b; Botulinum Toxin and Cosmetic Fillers (Children) Act 2021 "
            "s1(1), s1(4), s1(7), s2",
            _param_source(reference, "adult_age_years"),
        ),
    )


def cosmetic_age_verification(session, history, reference) -> list[Finding]:
    """Rule 29: for a young-looking cosmetic patient, the age-verification step is recorded
    (what was seen); the date of birth alone is what the patient said."""
    if not _is_cosmetic(session) or not session.looks_young:
        return []
    if (session.age_evidence_seen or "").strip():
        return []
    return _finding(
        "age.verification_missing",
        Level.BLOCK,
        "The patient looks young: record what was seen to verify their age (e.g. passport, "
        "photocard driving licence) before a cosmetic treatment",
        "DOMAIN §10 rule 29; S74",
    )


def cosmetic_older(session, history, reference) -> list[Finding]:
    caution = _param(reference, "cosmetic_caution_age_years")
    if not _is_cosmetic(session):
        return []
    age, product = _age(session), session.product
    reasons = []
    if age >= caution:
        reasons.append(f"limited data from age {_num(caution)}")
    licence_max = product.cosmetic_max_age_years if product else None
    if licence_max is not None and age >= licence_max:
        reasons.append(
            f"{product.brand} is licensed for cosmetic use under {product.cosmetic_max_age_years}"
        )
    if not reasons:
        return []
    return _finding(
        "age.cosmetic_older",
        Level.WARN,
        f"Patient is {age}: outside the licensed cosmetic population ({'; '.join(reasons)})",
        _source(
            "DOMAIN §10 rule 30; S30; S32; S40",
            _param_source(reference, "cosmetic_caution_age_years"),
        ),
    )


def therapeutic_minimums(session, history, reference) -> list[Finding]:
    """Rule 31 for every indication that is not cosmetic (cosmetic ages are rule 29's):
    therapeutic, off-label and investigational alike. An off-label or investigational
    indication has no licence, so its minimum is the reference data's (adults only for
    palmar hyperhidrosis, TMD/bruxism and Parkinson's tremor)."""
    if _is_cosmetic(session):
        return []
    guideline = session.guideline
    source = _source("DOMAIN §10 rule 31; S8; S45; S17", guideline.source if guideline else "")
    findings: list[Finding] = []
    minimum, age = licensed_min_age(session), _age(session)
    if minimum is not None and age < minimum:
        licensed = session.indication.category == THERAPEUTIC
        findings += _finding(
            "age.below_licensed",
            Level.OVERRIDE,
            f"Patient is {age}: below the {'licensed ' if licensed else ''}minimum age of "
            f"{minimum} for {session.indication.name} (off-label); record the reason",
            source,
        )
    if _below_licensed_weight(session):
        findings += _finding(
            "weight.below_licensed",
            Level.OVERRIDE,
            f"Weight {_num(session.weight_kg)} kg is below the licensed minimum of "
            f"{_num(guideline.min_weight_kg)} kg (off-label); record the reason",
            source,
        )
    return findings


def off_label_consent(session, history, reference) -> list[Finding]:
    if session.off_label_consent or not is_off_label(session):
        return []
    product = session.product.brand if session.product else "This product"
    return _finding(
        "licence.off_label_consent",
        Level.BLOCK,
        f"Off-label for this patient ({product} for {session.indication.name}): record the "
        f"off-label consent",
        "DOMAIN §10 rule 32; S71",
    )
