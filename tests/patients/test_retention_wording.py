"""'Keep records until' for a patient never treated here says what applies (issue 13.19)."""

from datetime import date

from patients.retention import retain_until


def test_never_treated_says_it_counts_from_registration():
    r = retain_until(
        date_of_birth=date(1980, 1, 1), last_treatment_on=date(2026, 3, 1), never_treated=True
    )
    assert r.retain_until == date(2034, 3, 1)
    assert r.rule.startswith("never treated here: 8 years after registration")


def test_treated_says_after_the_last_treatment():
    r = retain_until(date_of_birth=date(1980, 1, 1), last_treatment_on=date(2026, 3, 1))
    assert r.rule == "8 years after the last treatment"
