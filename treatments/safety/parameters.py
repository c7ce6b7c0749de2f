"""SafetyParameter keys the engine reads, and reading them: a missing key stops
evaluation loudly (MissingParameterError) rather than skipping a rule.

A leading underscore marks a name internal to treatments.safety (used by its rules, not
exported)."""

from __future__ import annotations

from decimal import Decimal

from treatments.safety.facts import ReferenceFacts

# SafetyParameter keys the engine reads (seeded by a treatments data migration).
PARAMETER_KEYS = (
    "adult_age_years",  # 18: population split adult / child
    "other_family_window_days",  # 112 (16 weeks): rule 2
    "volume_mismatch_percent",  # 5: rule 6
    "child_weight_valid_days",  # 90: rule 9
    "top_up_window_days",  # 14: rule 20
    "bladder_pvr_max_ml",  # 200: rule 26
    "antiplatelet_stop_days",  # 3: rule 26
    "cosmetic_min_age_years",  # 18: rule 29
    "cosmetic_caution_age_years",  # 65: rule 30
)


class MissingParameterError(KeyError):
    """A SafetyParameter the engine needs is not in ReferenceFacts.parameters: the reference
    table is misconfigured, so evaluation stops loudly rather than skipping a rule."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        self.missing = tuple(keys)
        super().__init__(", ".join(self.missing))

    def __str__(self) -> str:
        return (
            "Safety parameter(s) missing from the reference data (SafetyParameter table): "
            + ", ".join(self.missing)
        )


def require_parameters(reference: ReferenceFacts) -> None:
    """Raise MissingParameterError naming every PARAMETER_KEYS key that is absent."""
    missing = [key for key in PARAMETER_KEYS if key not in reference.parameters]
    if missing:
        raise MissingParameterError(missing)


def _param(reference: ReferenceFacts, key: str) -> Decimal:
    try:
        return Decimal(reference.parameters[key])
    except KeyError:
        raise MissingParameterError([key]) from None


def _days(reference: ReferenceFacts, key: str) -> int:
    return int(_param(reference, key))
