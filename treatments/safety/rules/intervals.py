"""DOMAIN §10 rules 19-20: minimum re-treatment intervals and top-ups; the patient's other
unsigned sessions, which no interval or window counts."""

from __future__ import annotations

from treatments.safety.facts import PatientHistory, ProposedSession
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import days_before, episode_index_dose, latest_same_indication
from treatments.safety.messages import (
    _ago,
    _d,
    _dose_text,
    _finding,
    _num,
    _param_source,
    _source,
    _span,
)
from treatments.safety.parameters import _days


def min_interval_days(session: ProposedSession) -> int:
    """The guideline's minimum interval if set, else the indication's."""
    guideline = session.guideline
    if guideline is not None and guideline.min_interval_days is not None:
        return guideline.min_interval_days
    return session.indication.min_interval_days


def interval_too_soon(session, history, reference) -> list[Finding]:
    guideline = session.guideline
    from_guideline = guideline is not None and guideline.min_interval_days is not None
    source = _source("DOMAIN §10 rule 19; §3.2", guideline.source if from_guideline else "")
    minimum = min_interval_days(session)
    findings = _unknown_family_too_soon(session, history, minimum, source)
    top_up_window = _days(reference, "top_up_window_days")
    latest = latest_same_indication(session, history)
    if latest is None:
        return findings
    dose, days = latest
    if days < top_up_window or days >= minimum:
        return findings  # a top-up (rule 20) or a respected interval
    return findings + _finding(
        "interval.too_soon",
        Level.OVERRIDE,
        f"Last {dose.brand} session {_ago(days)} ({_d(dose.on)}); the minimum interval is "
        f"{_span(minimum)} for {session.indication.name}",
        source,
    )


def _unknown_family_too_soon(
    session: ProposedSession, history: PatientHistory, minimum: int, source: str
) -> list[Finding]:
    """Toxin given elsewhere for this indication, of a product not on our list (unit
    family unknown), counts for the interval too: it is re-treatment whatever the product,
    and never a top-up (a top-up is of the same product)."""
    recent = [
        (dose, days_before(session, dose))
        for dose in history.doses
        if dose.family_unknown and dose.indication_slug == session.indication.slug
    ]
    recent = [(dose, days) for dose, days in recent if 0 <= days < minimum]
    if not recent:
        return []
    dose, days = min(recent, key=lambda pair: pair[1])
    return _finding(
        "interval.too_soon",
        Level.OVERRIDE,
        f"Toxin of a product not on our list (unit family unknown) was given {_ago(days)}: "
        f"{_dose_text(dose)}; the minimum interval is {_span(minimum)} for "
        f"{session.indication.name}",
        source,
    )


def interval_top_up(session, history, reference) -> list[Finding]:
    """Rule 20: a session within the top-up window of an earlier one for the same area is a
    top-up the practitioner links to its index session (never inferred), with a reason."""
    window = _days(reference, "top_up_window_days")
    source = _source("DOMAIN §10 rule 20; S108", _param_source(reference, "top_up_window_days"))
    reason = (session.top_up_reason or "").strip()
    if session.top_up_of_session_id is not None:
        index = episode_index_dose(session, history, window)
        if index is None:
            return _finding(
                "interval.top_up_link",
                Level.OVERRIDE,
                f"Linked as a top-up, but the linked session is not a {_family_brand(session)} "
                f"session for this indication within the last {_span(window)}: remove the "
                f"link, or record why",
                source,
            )
        message = f"Top-up of the session on {_d(index.on)}: its units count in the same episode"
        message += f". Reason: {reason}" if reason else "; record the reason"
        return _finding(
            "interval.top_up", Level.WARN if reason else Level.OVERRIDE, message, source
        )
    latest = latest_same_indication(session, history)
    if latest is None or latest[1] >= window:
        return []
    dose, days = latest
    return _finding(
        "interval.top_up",
        Level.OVERRIDE,
        f"{dose.brand} session for this indication {_ago(days)} ({_d(dose.on)}): a "
        f"session within {_span(window)} is a top-up: link it to that session (Top-up of) "
        f"and record the reason, so that its units count in the same episode",
        source,
    )


def _family_brand(session: ProposedSession) -> str:
    return session.product.brand if session.product else "same-product"


def unsigned_elsewhere(session, history, reference) -> list[Finding]:
    """Another draft of the patient's, not withdrawn: the intervals (rules 19-20), the
    windows of the dose limits (rules 9-18) and the other-family check (rule 2) count
    signed sessions only, so a treatment given but left unsigned (or two drafts started
    at once at two desks) is in none of them. Said, with what to do: sign it first if it
    was given, withdraw it if not. A warning: which it was is the practitioner's to know."""
    if not history.unsigned:
        return []
    others = sorted(history.unsigned, key=lambda s: s.on)
    said = "; ".join(
        f"{s.brand} for {s.indication_name} on {_d(s.on)} by {s.practitioner} "
        f"({_num(s.units)} U entered)"
        for s in others
    )
    many = len(others) > 1
    return _finding(
        "history.unsigned_session",
        Level.WARN,
        f"{'Other sessions' if many else 'Another session'} for this patient not signed: "
        f"{said}. {'Their' if many else 'Its'} doses are not counted in these checks: if "
        f"{'they were' if many else 'it was'} given, sign {'them' if many else 'it'} first; "
        f"if not, withdraw {'them' if many else 'it'}",
        "DOMAIN §10 rules 2, 9-20 (derived: their windows count signed sessions); rule 45",
    )
