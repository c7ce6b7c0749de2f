"""DOMAIN §10 rules 1-7: products, unit families, vials and the formulary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from treatments.safety.facts import ProposedSession, VialFacts
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import _family, days_before, within
from treatments.safety.messages import (
    _d,
    _dose_text,
    _finding,
    _num,
    _param_source,
    _plural,
    _point_name,
    _source,
    _span,
)
from treatments.safety.parameters import _days, _param

RULE_1 = "DOMAIN §10 rule 1; S9; S34; S45; S52; S60"
RULE_2 = "DOMAIN §10 rule 2; S54; S53b; S99"
RULE_3 = "DOMAIN §10 rule 3; S59b; S61b"
RULE_4 = "DOMAIN §10 rule 4; S12; S41; S44; S54"
RULE_5 = "DOMAIN §10 rule 5; S30; S52; S54"
RULE_6 = "DOMAIN §10 rule 6; §1.4"
RULE_7 = "DOMAIN §10 rule 7; S55"


def product_missing(session, history, reference) -> list[Finding]:
    if session.product is not None or not session.points:
        return []
    return _finding(
        "product.missing",
        Level.BLOCK,
        "Doses entered without a product: choose the product (brand and presentation); "
        "units belong to one product family and are never converted",
        RULE_1,
    )


def other_family_history(session, history, reference) -> list[Finding]:
    window = _days(reference, "other_family_window_days")
    family = _family(session)
    if family is None:
        return []
    doses = [
        dose
        for dose in history.doses
        if dose.unit_family != family and within(days_before(session, dose), window)
    ]
    if not doses:
        return []
    listed = "; ".join(_dose_text(dose) for dose in sorted(doses, key=lambda d: d.on))
    return _finding(
        "history.other_family",
        Level.WARN,
        f"Toxin of another unit family in the last {_span(window)}: {listed}. Units are not "
        f"comparable with {session.product.brand} units: consider cumulative exposure",
        _source(RULE_2, _param_source(reference, "other_family_window_days")),
    )


def _vial(vial: VialFacts, *, lot: bool = True) -> str:
    """The vial as the practitioner finds it in the fridge or the bin: by its stock label
    ("Vial C6056C3/05", its lot in it), else by its number and lot (review 07/12/2026:
    "Vial 507" named nothing on the carton)."""
    if vial.label:
        return f"Vial {vial.label}"
    return f"Vial {vial.id} (lot {vial.lot})" if lot else f"Vial {vial.id}"


def session_vials(session: ProposedSession) -> list[VialFacts]:
    """Every vial the session draws from, the first one first."""
    return [v for v in (session.vial, *session.extra_vials) if v is not None]


def vial_identity(session, history, reference) -> list[Finding]:
    if session.vial is None:
        return _finding("vial.missing", Level.BLOCK, "No vial chosen: record the vial used", RULE_3)
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_identity(session, vial)
    return findings


def _vial_identity(session, vial: VialFacts) -> list[Finding]:
    findings: list[Finding] = []
    if not (vial.lot or "").strip() or vial.expiry is None:
        findings += _finding(
            "vial.lot_or_expiry_missing",
            Level.BLOCK,
            f"{_vial(vial, lot=False)} has no lot/batch number or expiry date recorded",
            RULE_3,
        )
    if vial.expiry is not None and vial.expiry < session.on:
        findings += _finding(
            "vial.expired",
            Level.BLOCK,
            f"{_vial(vial)} expired on {_d(vial.expiry)}; session date {_d(session.on)}",
            RULE_3,
        )
    if vial.received_on is not None and vial.received_on > session.on:
        # Received on a later day than the session's: it was not in the clinic then (an
        # earlier day's record completed with today's stock). A powder's is also made up
        # later (vial.reconstituted_later); a ready-to-use solution's is caught only here.
        findings += _finding(
            "vial.received_later",
            Level.BLOCK,
            f"{_vial(vial, lot=False)} was received on {_d(vial.received_on)}, a later day "
            f"than this session's ({_d(session.on)}): choose the vial used that day",
            RULE_3,
        )
    return findings


def vial_product_and_state(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_product_and_state(session, vial)
    return findings


def _vial_product_and_state(session, vial: VialFacts) -> list[Finding]:
    findings: list[Finding] = []
    if session.product is not None and vial.product_slug != session.product.slug:
        findings += _finding(
            "vial.wrong_product",
            Level.BLOCK,
            f"{_vial(vial, lot=False)} is {vial.product_slug}, but the session product is "
            f"{session.product.brand} ({session.product.slug})",
            _source("DOMAIN §10 rules 1, 3", "§1.5"),
        )
    if vial.discarded_at is not None:
        findings += _vial_discarded(session, vial)
    return findings


def _vial_discarded(session, vial: VialFacts) -> list[Finding]:
    """A vial discarded before the session's time cannot have been drawn from: BLOCK. One
    discarded after it may be the vial used, its rest thrown away before the record was
    signed ("one session, one patient; discard the rest": DOMAIN §1.3), or a slip in the
    record: WARN, so the practitioner checks which vial it was."""
    source = _source("DOMAIN §10 rules 3-4", "§1.3", "§1.5")
    discarded = vial.discarded_at.astimezone(session.at.tzinfo)
    if discarded <= session.at:
        return _finding(
            "vial.discarded",
            Level.BLOCK,
            f"{_vial(vial)} was discarded on {discarded:%d/%m/%Y at %H:%M}, "
            f"before this session's time",
            source,
        )
    return _finding(
        "vial.discarded_since",
        Level.WARN,
        f"{_vial(vial)} was discarded on {discarded:%d/%m/%Y at %H:%M}"
        f"{f' ({vial.discard_reason})' if vial.discard_reason else ''}, after this "
        f"session's time ({session.at:%d/%m/%Y %H:%M}): check it is the vial this session "
        f"drew from",
        source,
    )


def vial_reconstitution(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_reconstitution(session, vial)
    return findings


def _vial_reconstitution(session, vial: VialFacts) -> list[Finding]:
    product = session.product
    if product is None:
        return []
    if vial.reconstituted_at is None:
        if not product.needs_reconstitution:
            return []
        return _finding(
            "vial.not_reconstituted",
            Level.BLOCK,
            f"{_vial(vial, lot=False)} of {product.brand} (powder) has no reconstitution recorded",
            RULE_4,
        )
    made = vial.reconstituted_at.astimezone(session.at.tzinfo)
    if made.date() > session.on:
        # Made up on a later day than the session's: it cannot have been drawn from then
        # (a draft of an earlier day completed with today's vial; review 07/12/2026). The
        # same day is left to the in-use check: a draft's time is when it was started,
        # often minutes before the vial was made up.
        return _finding(
            "vial.reconstituted_later",
            Level.BLOCK,
            f"{_vial(vial, lot=False)} was reconstituted on {made:%d/%m/%Y at %H:%M}, a later "
            f"day than this session's ({_d(session.on)}): choose the vial used that day",
            RULE_4,
        )
    if product.in_use_hours is None:
        return _unknown_in_use_time(session, vial) if product.needs_reconstitution else []
    use_by = vial.reconstituted_at + timedelta(hours=product.in_use_hours)
    if session.at <= use_by:
        return []
    elapsed = session.at - vial.reconstituted_at
    hours, minutes = divmod(int(elapsed.total_seconds()) // 60, 60)
    return _finding(
        "vial.over_age",
        Level.BLOCK,
        f"{_vial(vial, lot=False)} was reconstituted {hours} h {minutes} min ago "
        f"({made:%d/%m/%Y %H:%M}); {product.brand} must be used within "
        f"{product.in_use_hours} h",
        RULE_4,
    )


def _unknown_in_use_time(session, vial: VialFacts) -> list[Finding]:
    """A reconstituted powder whose in-use time is not in the reference data: usable on the
    day it was reconstituted only, the conservative reading of "use immediately" (DOMAIN
    §1.3), as the vial picker reads it (selectors.vial_list_usable)."""
    made = vial.reconstituted_at.astimezone(session.at.tzinfo)
    if made.date() == session.at.date():
        return []
    return _finding(
        "vial.over_age",
        Level.BLOCK,
        f"{_vial(vial, lot=False)} was reconstituted on {made:%d/%m/%Y %H:%M}; the in-use time of "
        f"{session.product.brand} after reconstitution is not known, so it may be used on "
        f"the day it was reconstituted only: discard it and reconstitute a new vial",
        _source(RULE_4, "§1.3"),
    )


def vial_other_patient(session, history, reference) -> list[Finding]:
    findings: list[Finding] = []
    for vial in session_vials(session):
        findings += _vial_other_patient(session, vial)
    return findings


def _vial_other_patient(session, vial: VialFacts) -> list[Finding]:
    others = sorted(vial.other_patient_ids - {session.patient_id})
    if not others:
        return []
    return _finding(
        "vial.other_patient",
        Level.BLOCK,
        f"{_vial(vial)} was already used for "
        f"{_plural(len(others), 'other patient')}: one vial, one patient",
        RULE_5,
    )


def vial_capacity(session, history, reference) -> list[Finding]:
    """The dose cannot exceed what all the chosen vials together still hold (DOMAIN §1.5:
    drawn + wasted = presentation); further vials are added when one is not enough."""
    vials = session_vials(session)
    if not vials or any(v.remaining_units is None for v in vials):
        return []
    total = sum((p.units for p in session.points), Decimal(0))
    available = sum((v.remaining_units for v in vials), Decimal(0))
    if total <= available:
        return []
    held = ", ".join(f"lot {v.lot}: {_num(v.remaining_units)} U left" for v in vials)
    return _finding(
        "vial.insufficient",
        Level.BLOCK,
        f"{_num(total)} U planned, but the chosen vial{'s' if len(vials) > 1 else ''} "
        f"hold{'' if len(vials) > 1 else 's'} {_num(available)} U ({held}): add another "
        f"vial or use a larger one",
        _source("DOMAIN §1.5", "§10 rule 3"),
    )


def volume_mismatch(session, history, reference) -> list[Finding]:
    tolerance = _param(reference, "volume_mismatch_percent")
    vial = session.vial
    if vial is None or vial.units_per_ml is None:
        return []
    source = _source(RULE_6, _param_source(reference, "volume_mismatch_percent"))
    apart = []
    for point in session.points:
        expected = (point.volume_ml or 0) * vial.units_per_ml
        if point.volume_ml is None or expected <= 0:
            continue
        percent = abs(point.units - expected) / expected * 100
        if percent > tolerance:
            apart.append((point, expected, percent))
    if len(apart) > _MISMATCHES_SAID_ONE_BY_ONE:
        # One finding for them all (practitioner review 07/12/2026: a template's volumes
        # beside a vial of another dilution gave 31 warnings, which buried the others):
        # what they have in common is the vial's dilution.
        point, expected, _ = apart[0]
        return _finding(
            "dose.volume_mismatch",
            Level.WARN,
            f"{len(apart)} of {len(session.points)} points: the units entered do not match "
            f"their mL at this vial's {_num(vial.units_per_ml)} U/mL (e.g. "
            f"{_point_name(point)}: {_num(point.units)} U entered, {_num(point.volume_ml)} mL "
            f"is {_num(expected)} U; tolerance {_num(tolerance)}%). Check the vial's dilution "
            f"against the volumes planned: retype the units to work the mL out at this "
            f"vial, or choose a vial at the planned dilution",
            source,
        )
    findings: list[Finding] = []
    for point, expected, percent in apart:
        findings += _finding(
            "dose.volume_mismatch",
            Level.WARN,
            f"{_point_name(point)}: {_num(point.units)} U entered, but "
            f"{_num(point.volume_ml)} mL at {_num(vial.units_per_ml)} U/mL is "
            f"{_num(expected)} U ({_num(percent.quantize(Decimal('0.1')))}% apart; "
            f"tolerance {_num(tolerance)}%)",
            source,
        )
    return findings


# Up to this many points whose units and mL disagree are each a finding; more are one.
_MISMATCHES_SAID_ONE_BY_ONE = 3


def formulary(session, history, reference) -> list[Finding]:
    product = session.product
    if product is None or (product.on_formulary and product.uk_licensed):
        return []
    why = "not UK-licensed" if not product.uk_licensed else "not on the clinic formulary"
    return _finding(
        "product.not_on_formulary",
        Level.BLOCK,
        f"{product.brand} is {why}: only UK-licensed formulary products may be used",
        RULE_7,
    )
