"""DOMAIN §10 rule 33: chronic migraine continuation (NICE TA260), from the outcome diary."""

from __future__ import annotations

from decimal import Decimal

from treatments.safety.levels import Finding, Level
from treatments.safety.messages import _finding, _num, _param_source, _plural, _source
from treatments.safety.parameters import _param

RULE_33 = "DOMAIN §10 rule 33; S58"
NICE_PARAMETER_KEYS = (
    "nice_min_headache_days",  # 15 a month at baseline
    "nice_min_migraine_days",  # 8 of them migraine
    "nice_min_failed_preventives",  # 3
    "nice_min_reduction_percent",  # 30% fewer headache days after 2 cycles
    "nice_episodic_months",  # 3 months running below 15 days: episodic
)


def nice_continuation(session, history, reference) -> list[Finding]:
    """WARN, not BLOCK: NICE's criteria govern NHS funding and continuation advice; the
    prescriber decides (DOMAIN §8: verify before encoding as hard blocks)."""
    diary = history.migraine
    if session.indication.safety_profile != "chronic-migraine":
        return []
    source = _source(RULE_33, _param_source(reference, *NICE_PARAMETER_KEYS))
    if diary is None or diary.baseline_headache_days is None:
        # Without a baseline the NICE stopping rules can never be applied.
        return _finding(
            "nice.baseline_missing",
            Level.WARN,
            "No baseline headache diary recorded: record the headache days and migraine "
            "days a month before the first cycle (Outcomes), so that NICE TA260's starting "
            "and stopping rules can be applied",
            source,
        )
    min_days = _param(reference, "nice_min_headache_days")
    findings: list[Finding] = []
    if diary.cycles_completed == 0:
        unmet = []
        if diary.baseline_headache_days < min_days:
            unmet.append(
                f"{_num(diary.baseline_headache_days)} headache days a month "
                f"(needs {_num(min_days)})"
            )
        min_migraine = _param(reference, "nice_min_migraine_days")
        if diary.baseline_migraine_days is not None and diary.baseline_migraine_days < min_migraine:
            unmet.append(
                f"{_num(diary.baseline_migraine_days)} migraine days (needs {_num(min_migraine)})"
            )
        min_failed = _param(reference, "nice_min_failed_preventives")
        if diary.preventives_failed is not None and diary.preventives_failed < min_failed:
            unmet.append(
                f"{_plural(diary.preventives_failed, 'preventive treatment')} failed "
                f"(needs {_num(min_failed)})"
            )
        if unmet:
            findings += _finding(
                "nice.not_eligible",
                Level.WARN,
                "NICE TA260 starting criteria not met: " + "; ".join(unmet),
                source,
            )
    recent = diary.monthly_headache_days
    if diary.cycles_completed >= 2 and recent and diary.baseline_headache_days > 0:
        latest = recent[-1]
        reduction = (diary.baseline_headache_days - latest) / diary.baseline_headache_days * 100
        needed = _param(reference, "nice_min_reduction_percent")
        if reduction < needed:
            change = _num(abs(reduction).quantize(Decimal("0.1")))
            if reduction > 0:
                moved = f"fell {change}%"
            else:
                moved = "did not fall" if reduction == 0 else f"rose {change}%"
            findings += _finding(
                "nice.stop_poor_response",
                Level.WARN,
                f"Stop per NICE TA260: headache days {moved} "
                f"({_num(diary.baseline_headache_days)} to {_num(latest)} a month) after "
                f"{diary.cycles_completed} cycles; continuation needs at least {_num(needed)}%",
                source,
            )
    months = int(_param(reference, "nice_episodic_months"))
    if len(recent) >= months and all(days < min_days for days in recent[-months:]):
        findings += _finding(
            "nice.stop_episodic",
            Level.WARN,
            f"Stop per NICE TA260: fewer than {_num(min_days)} headache days a month for "
            f"{months} months running ({', '.join(_num(d) for d in recent[-months:])}): the "
            f"migraine has become episodic",
            source,
        )
    return findings
