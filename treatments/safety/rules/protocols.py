"""DOMAIN §10 rule 16: the chronic migraine (PREEMPT) protocol's totals and fixed groups, and
the off-label warning for any product not licensed for chronic migraine."""

from __future__ import annotations

from treatments.safety.facts import ProposedSession, ProtocolFacts, ReferenceFacts
from treatments.safety.levels import Finding, Level
from treatments.safety.measures import _outside, group_total, planned_total
from treatments.safety.messages import _finding, _num, _plural, _range, _source


def _protocol(session: ProposedSession, reference: ReferenceFacts) -> ProtocolFacts | None:
    protocol = reference.protocol
    if (
        protocol is None
        or session.product is None
        or session.indication.safety_profile != "chronic-migraine"
    ):
        return None
    if protocol.unit_family and protocol.unit_family != session.product.unit_family:
        return None
    return protocol


def protocol_totals(session, history, reference) -> list[Finding]:
    protocol = _protocol(session, reference)
    if protocol is None:
        return []
    source = _source("DOMAIN §10 rule 16", protocol.source)
    findings: list[Finding] = []
    total = planned_total(session)
    if _outside(total, protocol.min_units, protocol.max_units):
        findings += _finding(
            "protocol.total_outside",
            Level.WARN,
            f"Total {_num(total)} U is outside the {protocol.name} range of "
            f"{_range(protocol.min_units, protocol.max_units, ' U')}",
            source,
        )
    sites = sum(point.points for point in session.points)
    if _outside(sites, protocol.min_sites, protocol.max_sites):
        findings += _finding(
            "protocol.sites_outside",
            Level.WARN,
            f"{_plural(sites, 'injection site')} planned: outside the {protocol.name} range of "
            f"{_range(protocol.min_sites, protocol.max_sites, ' sites')}",
            source,
        )
    return findings


def protocol_groups(session, history, reference) -> list[Finding]:
    protocol = _protocol(session, reference)
    if protocol is None:
        return []
    source = _source("DOMAIN §10 rule 16", protocol.source)
    findings: list[Finding] = []
    for group in protocol.groups:
        total = group_total(session.points, group.muscle_group)
        if group.max_units is not None and total > group.max_units:
            findings += _finding(
                "protocol.group_over_max",
                Level.WARN,
                f"{group.muscle_group}: {_num(total)} U is above the {protocol.name} "
                f"maximum of {_num(group.max_units)} U",
                source,
            )
        if group.fixed_units is not None and total != group.fixed_units:
            findings += _finding(
                "protocol.fixed_group_changed",
                Level.WARN,
                f"{group.muscle_group}: {_num(total)} U differs from the {protocol.name} "
                f"fixed dose of {_num(group.fixed_units)} U",
                source,
            )
    return findings


def protocol_off_label_product(session, history, reference) -> list[Finding]:
    """Rule 16: WARN "off-label" for any product without a UK licence for chronic migraine
    (the licensed product is the one with a licensed DoseGuideline row: BOTOX), even when
    the off-label consent is recorded: the PREEMPT doses are not this product's."""
    product = session.product
    if product is None or session.indication.safety_profile != "chronic-migraine":
        return []
    guideline = session.guideline
    if guideline is not None and guideline.licensed_uk:
        return []
    return _finding(
        "protocol.off_label_product",
        Level.WARN,
        f"Off-label: {product.brand} is not licensed for {session.indication.name}; the "
        f"PREEMPT protocol and its doses are for BOTOX units, and {product.brand} units "
        f"are not comparable",
        "DOMAIN §10 rules 16, 32; S7; S71",
    )
