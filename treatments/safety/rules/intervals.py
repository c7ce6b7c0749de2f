"""DOMAIN §10 rules 19-20: minimum re-treatment intervals and top-ups."""

from __future__ import annotations

from treatments.safety.facts import ProposedSession
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import latest_same_indication
from treatments.safety.messages import _ago, _d, _finding, _param_source, _source, _span
from treatments.safety.parameters import _days


def min_interval_days(session: ProposedSession) -> int:
    """The guideline's minimum interval if set, else the indication's."""
    guideline = session.guideline
    if guideline is not None and guideline.min_interval_days is not None:
        return guideline.min_interval_days
    return session.indication.min_interval_days


def interval_too_soon(session, history, reference) -> list[Finding]:
    top_up_window = _days(reference, "top_up_window_days")
    latest = latest_same_indication(session, history)
    if latest is None:
        return []
    dose, days = latest
    minimum = min_interval_days(session)
    if days < top_up_window or days >= minimum:
        return []  # a top-up (rule 20) or a respected interval
    guideline = session.guideline
    from_guideline = guideline is not None and guideline.min_interval_days is not None
    return _finding(
        "interval.too_soon",
        Level.OVERRIDE,
        f"Last {dose.brand} session {_ago(days)} ({_d(dose.on)}); minimum interval for "
        f"{session.indication.name} is {_span(minimum)}",
        _source("DOMAIN §10 rule 19; §3.2", guideline.source if from_guideline else ""),
    )


def interval_top_up(session, history, reference) -> list[Finding]:
    window = _days(reference, "top_up_window_days")
    latest = latest_same_indication(session, history)
    if latest is None or latest[1] >= window:
        return []
    dose = latest[0]
    reason = (session.top_up_reason or "").strip()
    message = (
        f"Top-up within {window} days of the session on {_d(dose.on)}: counts in the same episode"
    )
    message += f". Reason: {reason}" if reason else "; record the reason"
    return _finding(
        "interval.top_up",
        Level.WARN if reason else Level.OVERRIDE,
        message,
        _source("DOMAIN §10 rule 20; S108", _param_source(reference, "top_up_window_days")),
    )
