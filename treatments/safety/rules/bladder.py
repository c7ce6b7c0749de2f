"""DOMAIN §10 rule 26: bladder (intradetrusor) screening, PVR, prophylaxis and antiplatelets."""

from __future__ import annotations

from treatments.safety.facts import ProposedSession, ReferenceFacts
from treatments.safety.levels import Finding, Level
from treatments.safety.messages import _finding, _num, _param_source, _plural, _source
from treatments.safety.parameters import _days, _param

# What to do about retention without CIC (rule 26): defer, or record CIC where it is done.
_CIC_ACTION = "defer the treatment (if the patient does self-catheterise, record it on the session)"


def _bladder_source(reference: ReferenceFacts, *keys: str) -> str:
    return _source("DOMAIN §10 rule 26; S21; S22; S16", _param_source(reference, *keys))


def _performs_cic(session: ProposedSession, history) -> bool:
    """Clean intermittent self-catheterisation, from the session or the questionnaire."""
    screening = history.screening
    return session.performs_cic or (screening is not None and screening.can_self_catheterise)


def bladder_screening(session, history, reference) -> list[Finding]:
    screening = history.screening
    if session.indication.safety_profile != "bladder" or screening is None:
        return []
    findings: list[Finding] = []
    if screening.urinary_infection:
        findings += _finding(
            "bladder.uti",
            Level.BLOCK,
            "Screening: urinary tract infection now: intradetrusor injection is "
            "contraindicated with an acute UTI; treat it (and update the screening answer) "
            "before the injection",
            _bladder_source(reference),
        )
    if screening.urinary_retention and not _performs_cic(session, history):
        findings += _finding(
            "bladder.retention_screening",
            Level.BLOCK,
            "Screening: difficulty emptying the bladder (urinary retention) and the patient "
            "does not perform clean intermittent self-catheterisation: intradetrusor "
            f"injection is contraindicated; {_CIC_ACTION}",
            _bladder_source(reference),
        )
    if screening.bleeding_risk:
        findings += _antiplatelet(session, reference)
    return findings


def antiplatelet_outstanding(session: ProposedSession, reference: ReferenceFacts) -> bool:
    """A bladder session whose antiplatelet is not recorded as stopped long enough: the
    bladder.antiplatelet warning (which then also covers rule 28's bleeding warning)."""
    stopped = session.antiplatelet_stopped_days
    return stopped is None or stopped < _days(reference, "antiplatelet_stop_days")


def _antiplatelet(session: ProposedSession, reference: ReferenceFacts) -> list[Finding]:
    if not antiplatelet_outstanding(session, reference):
        return []
    needed = _days(reference, "antiplatelet_stop_days")
    stopped = session.antiplatelet_stopped_days
    when = (
        "not recorded as stopped" if stopped is None else f"stopped {_plural(stopped, 'day')} ago"
    )
    return _finding(
        "bladder.antiplatelet",
        Level.WARN,
        f"Blood thinners or bleeding risk: antiplatelet {when}; stop at least {needed} days "
        f"before intradetrusor injection and manage anticoagulants",
        _bladder_source(reference, "antiplatelet_stop_days"),
    )


def bladder_session(session, history, reference) -> list[Finding]:
    if session.indication.safety_profile != "bladder":
        return []
    limit = _param(reference, "bladder_pvr_max_ml")
    findings: list[Finding] = []
    if (
        session.pvr_ml is not None
        and session.pvr_ml > limit
        and not _performs_cic(session, history)
    ):
        findings += _finding(
            "bladder.retention",
            Level.BLOCK,
            f"Post-void residual {session.pvr_ml} mL is above {_num(limit)} mL and the "
            f"patient does not perform clean intermittent self-catheterisation: intradetrusor "
            f"injection is contraindicated; {_CIC_ACTION}",
            _bladder_source(reference, "bladder_pvr_max_ml"),
        )
    if session.pvr_ml is None and not history.pvr_recorded_before:
        findings += _finding(
            "bladder.pvr_missing",
            Level.BLOCK,
            "Record a post-void residual (PVR) before the first bladder treatment",
            _bladder_source(reference),
        )
    if not session.antibiotic_prophylaxis:
        findings += _finding(
            "bladder.no_prophylaxis",
            Level.BLOCK,
            "Antibiotic prophylaxis (not an aminoglycoside) is not recorded",
            _bladder_source(reference),
        )
    return findings
