"""Rule 33: chronic migraine continuation (NICE TA260), at its boundaries."""

from decimal import Decimal

import pytest

from tests.treatments.safety_builders import (
    codes,
    history,
    one,
    preempt_points,
    run,
    session,
)
from tests.treatments.safety_reference import (
    PARAMETER_SOURCES,
    PARAMETERS,
    reference,
)
from treatments.safety import Level, MigraineDiaryFacts, MissingParameterError

D = Decimal
NICE = {
    "nice_min_headache_days": D(15),
    "nice_min_migraine_days": D(8),
    "nice_min_failed_preventives": D(3),
    "nice_min_reduction_percent": D(30),
    "nice_episodic_months": D(3),
}


def nice_reference():
    return reference(
        parameters={**PARAMETERS, **NICE},
        parameter_sources={**PARAMETER_SOURCES, **dict.fromkeys(NICE, "S58")},
    )


def migraine(**diary):
    return session(indication="chronic-migraine", points=preempt_points())


def nice_codes(diary: MigraineDiaryFacts | None):
    findings = run(migraine(), history(migraine=diary), nice_reference())
    return {code for code, _ in codes(findings) if code.startswith("nice.")}, findings


def eligible(**kw):
    base = {
        "baseline_headache_days": D(18),
        "baseline_migraine_days": D(10),
        "preventives_failed": 3,
    }
    return MigraineDiaryFacts(**(base | kw))


def test_no_outcome_records_asks_for_a_baseline_diary():
    # Issue 13.4: without a baseline the NICE stopping rules can never be applied.
    found, findings = nice_codes(None)
    assert found == {"nice.baseline_missing"}
    f = one(findings, "nice.baseline_missing")
    assert f.level == Level.WARN and "baseline headache diary" in f.message


def test_baseline_missing_warns():
    found, findings = nice_codes(MigraineDiaryFacts())
    assert found == {"nice.baseline_missing"}
    assert one(findings, "nice.baseline_missing").level == Level.WARN


@pytest.mark.parametrize(
    ("diary", "expected"),
    [
        (eligible(), set()),
        (eligible(baseline_headache_days=D(15)), set()),  # 15 a month is enough
        (eligible(baseline_headache_days=D(14)), {"nice.not_eligible"}),
        (eligible(baseline_migraine_days=D(8)), set()),
        (eligible(baseline_migraine_days=D(7)), {"nice.not_eligible"}),
        (eligible(preventives_failed=2), {"nice.not_eligible"}),
    ],
)
def test_starting_criteria(diary, expected):
    assert nice_codes(diary)[0] == expected


def test_not_eligible_message_names_each_unmet_criterion():
    _, findings = nice_codes(eligible(baseline_headache_days=D(12), preventives_failed=1))
    message = one(findings, "nice.not_eligible").message
    assert "12 headache days a month (needs 15)" in message
    assert "1 preventive treatment failed (needs 3)" in message


@pytest.mark.parametrize(
    ("latest", "stop"),
    [(D(9), False), (D("12.6"), False), (D("12.7"), True), (D(14), True), (D(18), True)],
)
def test_after_two_cycles_needs_30_percent_fewer_headache_days(latest, stop):
    # Baseline 18: 30% fewer is 12.6 or fewer.
    diary = eligible(cycles_completed=2, monthly_headache_days=(D(16), latest))
    found, findings = nice_codes(diary)
    assert ("nice.stop_poor_response" in found) is stop
    if stop:
        assert "after 2 cycles" in one(findings, "nice.stop_poor_response").message


@pytest.mark.parametrize(
    ("latest", "moved"),
    [
        (D(14), "fell 22.2% (18 to 14 a month)"),
        (D(18), "did not fall (18 to 18 a month)"),
        (D(20), "rose 11.1% (18 to 20 a month)"),
    ],
)
def test_poor_response_says_whether_headache_days_fell_or_rose(latest, moved):
    diary = eligible(cycles_completed=2, monthly_headache_days=(D(16), latest))
    message = one(nice_codes(diary)[1], "nice.stop_poor_response").message
    assert message.startswith(f"Stop per NICE TA260: headache days {moved} after 2 cycles;")


def test_response_not_judged_before_two_cycles():
    diary = eligible(cycles_completed=1, monthly_headache_days=(D(18),))
    assert "nice.stop_poor_response" not in nice_codes(diary)[0]


@pytest.mark.parametrize(
    ("months", "episodic"),
    [
        ((D(14), D(12), D(10)), True),  # three months running under 15
        ((D(15), D(12), D(10)), False),  # one month at 15 breaks the run
        ((D(12), D(10)), False),  # only two months recorded
        ((D(20), D(14), D(13), D(12)), True),  # the last three count
    ],
)
def test_episodic_for_three_months_running(months, episodic):
    diary = eligible(cycles_completed=3, monthly_headache_days=months)
    assert ("nice.stop_episodic" in nice_codes(diary)[0]) is episodic


def test_other_indications_are_not_judged_by_nice():
    diary = eligible(baseline_headache_days=D(2))
    findings = run(session(), history(migraine=diary), nice_reference())
    assert not [f for f in findings if f.code.startswith("nice.")]


def test_nice_thresholds_come_from_reference_data():
    without_nice = {k: v for k, v in PARAMETERS.items() if k not in NICE}
    with pytest.raises(MissingParameterError, match="nice_min_headache_days"):
        run(migraine(), history(migraine=eligible()), reference(parameters=without_nice))
