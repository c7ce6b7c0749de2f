"""DOMAIN §10 rules 35 and 40: consent for the episode and the safety-net advice."""

from __future__ import annotations

from treatments.safety.levels import Finding, Level
from treatments.safety.messages import _finding


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
