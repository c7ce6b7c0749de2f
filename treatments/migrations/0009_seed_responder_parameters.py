"""Data: the responder thresholds the outcomes page reads for lower-is-better measures
(DOMAIN §5), as SafetyParameter rows clinical staff can check and sign off.

30% is NICE TA260's continuation threshold for headache days (S58). 50% is the usual
"good responder" cut-off in migraine prevention; DOMAIN §5 does not source it, so the row
says so (DOMAIN §8: verify).
"""

import datetime
from decimal import Decimal

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 11, 21)
PARAMETERS = [
    (
        "responder_partial_percent",
        Decimal(30),
        "%",
        "Improvement from baseline for a partial response (lower-is-better measures)",
        "S58 (NICE TA260); DOMAIN §5",
    ),
    (
        "responder_good_percent",
        Decimal(50),
        "%",
        "Improvement from baseline for a good response (lower-is-better measures)",
        "DOMAIN §5 (not sourced there: verify)",
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
    dependencies = [("treatments", "0008_outcome_assessments")]

    operations = [migrations.RunPython(seed, unseed)]
