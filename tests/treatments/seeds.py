"""The reference data's seed migrations, as modules, for the tests that check what they
seeded (and that their reverse removes it), and the day the seeded values were verified."""

import datetime
import importlib

SEED = importlib.import_module("treatments.migrations.0004_seed_dose_reference")
NICE_SEED = importlib.import_module("treatments.migrations.0007_seed_nice_parameters")
RESPONDER_SEED = importlib.import_module("treatments.migrations.0009_seed_responder_parameters")
SIDE_EFFECT_SEED = importlib.import_module("treatments.migrations.0011_seed_side_effect_terms")
COSMETIC_TEMPLATES_SEED = importlib.import_module(
    "treatments.migrations.0017_seed_cosmetic_templates_per_product"
)
# The diary's reference row (issue 15.4), a SafetyParameter the diary reads, not the engine.
CONSENT_VALIDITY_SEED = importlib.import_module(
    "clinic.diary.migrations.0007_seed_consent_validity"
)
CHILDBEARING_SEED = importlib.import_module(
    "treatments.migrations.0028_seed_childbearing_age_parameters"
)
CHILDBEARING_KEYS = {key for key, *_ in CHILDBEARING_SEED.PARAMETERS}

VERIFIED_ON = datetime.date(2026, 11, 21)


def slugs(queryset) -> set[str]:
    """The slugs of the rows in `queryset`."""
    return set(queryset.values_list("slug", flat=True))
