"""Data: the age range rule 27 treats as "women of childbearing potential" (review 04/12),
as SafetyParameter rows clinical staff can check and sign off.

Rule 27 says to ask about pregnancy and breastfeeding at every session for women of
childbearing potential (DOMAIN §3.6, S99) but gives no ages. 12 to 55 is a working range
(from the earliest usual menarche to past the usual menopause); DOMAIN does not source
it, so the rows say so (DOMAIN §8: verify). Outside it, the latest questionnaire's
answer stands; inside it, an answer from an earlier day asks the practitioner to ask
again (a warning acknowledged at signing)."""

import datetime
from decimal import Decimal

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 12, 4)
SOURCE = "DOMAIN §10 rule 27; §3.6; S99 (age range not sourced there: verify)"
PARAMETERS = [
    (
        "childbearing_min_age_years",
        Decimal(12),
        "years",
        "Youngest age asked about pregnancy at every session (rule 27)",
        SOURCE,
    ),
    (
        "childbearing_max_age_years",
        Decimal(55),
        "years",
        "Oldest age asked about pregnancy at every session (rule 27)",
        SOURCE,
    ),
]


def seed(apps, schema_editor):
    parameter = apps.get_model("treatments", "SafetyParameter")
    for key, value, unit, description, source in PARAMETERS:
        parameter.objects.update_or_create(
            key=key,
            defaults={
                "value": value,
                "unit": unit,
                "description": description,
                "source": source,
                "verified_on": VERIFIED_ON,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("treatments", "SafetyParameter").objects.filter(
        key__in=[key for key, *_ in PARAMETERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0027_masseter_contouring_cosmetic")]

    operations = [migrations.RunPython(seed, unseed)]
