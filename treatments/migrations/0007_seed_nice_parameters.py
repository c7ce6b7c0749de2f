"""Data: the NICE TA260 thresholds that rule 33 reads (DOMAIN §2.2 chronic migraine, §10
rule 33, source S58), as SafetyParameter rows clinical staff can check and sign off."""

import datetime
from decimal import Decimal

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 11, 21)
SOURCE = "S58 (NICE TA260); §10 rule 33"
PARAMETERS = [
    (
        "nice_min_headache_days",
        Decimal(15),
        "days/month",
        "Baseline headache days a month to start botulinum toxin for chronic migraine",
    ),
    (
        "nice_min_migraine_days",
        Decimal(8),
        "days/month",
        "Of those, migraine days a month at baseline",
    ),
    (
        "nice_min_failed_preventives",
        Decimal(3),
        "treatments",
        "Preventive medicines failed, not tolerated or unsuitable before starting",
    ),
    (
        "nice_min_reduction_percent",
        Decimal(30),
        "%",
        "Reduction in headache days from baseline needed to continue after 2 cycles",
    ),
    (
        "nice_episodic_months",
        Decimal(3),
        "months",
        "Consecutive months under 15 headache days after which the migraine is episodic",
    ),
]


def seed(apps, schema_editor):
    parameter = apps.get_model("treatments", "SafetyParameter")
    for key, value, unit, description in PARAMETERS:
        parameter.objects.update_or_create(
            key=key,
            defaults={
                "value": value,
                "unit": unit,
                "description": description,
                "source": SOURCE,
                "verified_on": VERIFIED_ON,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("treatments", "SafetyParameter").objects.filter(
        key__in=[key for key, *_ in PARAMETERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0006_second_vial_and_draws")]

    operations = [migrations.RunPython(seed, unseed)]
