"""evaluate(): run every registered rule over one proposed session."""

from __future__ import annotations

from treatments.safety.facts import PatientHistory, ProposedSession, ReferenceFacts
from treatments.safety.levels import LEVEL_ORDER, Finding
from treatments.safety.parameters import require_parameters
from treatments.safety.registry import RULES


def evaluate(
    session: ProposedSession, history: PatientHistory, reference: ReferenceFacts
) -> list[Finding]:
    """All findings, most severe first (stable order within a level). Raises
    MissingParameterError when a SafetyParameter key is missing."""
    require_parameters(reference)
    findings: list[Finding] = []
    for check in RULES:
        findings.extend(check(session, history, reference))
    return sorted(findings, key=lambda f: LEVEL_ORDER[f.level])
