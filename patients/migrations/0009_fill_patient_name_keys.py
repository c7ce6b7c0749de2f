"""Fill the normalised name columns of existing patients (data only; 0008 added them).

Uses patients.names, the same functions Patient.refresh_name_keys() calls, in batches so
that a large clinic is not held in memory. The reverse empties the columns.
"""

from django.db import migrations

from patients.names import name_tokens, normalise_name

BATCH = 2000
KEY_LENGTH = 150
GIVEN_LENGTH = 255


def fill(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    last_pk = 0
    while True:
        batch = list(
            Patient.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "family_name", "given_names", "preferred_name")[:BATCH]
        )
        if not batch:
            return
        for patient in batch:
            patient.family_name_key = normalise_name(patient.family_name)[:KEY_LENGTH]
            patient.family_name_tokens = name_tokens(patient.family_name)[:KEY_LENGTH]
            patient.given_name_tokens = name_tokens(patient.given_names, patient.preferred_name)[
                :GIVEN_LENGTH
            ]
        Patient.objects.bulk_update(
            batch, ["family_name_key", "family_name_tokens", "given_name_tokens"]
        )
        last_pk = batch[-1].pk


def empty(apps, schema_editor):
    apps.get_model("patients", "Patient").objects.update(
        family_name_key="", family_name_tokens="", given_name_tokens=""
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_patient_name_keys")]

    operations = [migrations.RunPython(fill, empty)]
