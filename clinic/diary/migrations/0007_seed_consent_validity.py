"""Data: how long a patient's consent for an indication counts before the practitioner's
day shows "consent due" (issue 15.4), as a SafetyParameter row clinical staff can check
and change in the admin.

DOMAIN does not give a period: consent is taken for each treatment episode (rule 35,
S71, S73) and is a continuing dialogue, reviewed when anything changes (§6.4, S71). A
full consent discussion at least once a year for repeat treatment is clinic practice,
not sourced there, so the row says so (DOMAIN §8: verify before relying on it).
"""

import datetime
from decimal import Decimal

from django.db import migrations

KEY = "consent_validity_days"


def seed(apps, schema_editor):
    apps.get_model("treatments", "SafetyParameter").objects.update_or_create(
        key=KEY,
        defaults={
            "value": Decimal(365),
            "unit": "days",
            "description": "A patient's last consent for an indication older than this "
            "shows 'consent due' on the practitioner's day (a full consent discussion again)",
            "source": "Clinic practice (not sourced; verify): DOMAIN §6.4, §10 rule 35; S71, S73",
            "verified_on": datetime.date(2026, 12, 2),
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("treatments", "SafetyParameter").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0006_messages_waiting_list"),
        ("treatments", "0004_seed_dose_reference"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
