"""Appointment types and rooms a clinic starts with (managers edit them in the admin).
Lengths are the practice's own defaults, not clinical thresholds."""

from django.db import migrations

TYPES = [
    # name, slug, kind, minutes, indication slug
    ("Consultation", "consultation", "consultation", 30, None),
    ("First treatment", "first-treatment", "first-treatment", 45, None),
    ("Chronic migraine (PREEMPT)", "migraine-treatment", "treatment", 30, "chronic-migraine"),
    ("Cervical dystonia", "dystonia-treatment", "treatment", 30, "cervical-dystonia"),
    ("Blepharospasm", "blepharospasm-treatment", "treatment", 20, "blepharospasm"),
    ("Spasticity (adult)", "spasticity-treatment", "treatment", 45, "spasticity-ul-adult"),
    (
        "Axillary hyperhidrosis",
        "hyperhidrosis-treatment",
        "treatment",
        30,
        "hyperhidrosis-axillary",
    ),
    ("Bladder treatment (with PVR)", "bladder-treatment", "bladder-treatment", 60, "oab"),
    ("Sialorrhoea", "sialorrhoea-treatment", "treatment", 20, "sialorrhoea-adult"),
    ("Glabellar lines", "glabellar-treatment", "treatment", 20, "glabellar-lines"),
    ("Crow's feet", "crows-feet-treatment", "treatment", 20, "lateral-canthal-lines"),
    ("Forehead lines", "forehead-treatment", "treatment", 20, "forehead-lines"),
    ("Review", "review", "review", 15, None),
    ("Phone review", "phone-review", "phone-review", 10, None),
]
ROOMS = ["Treatment room 1", "Treatment room 2", "Consulting room"]


def forward(apps, schema_editor):
    AppointmentType = apps.get_model("diary", "AppointmentType")
    Indication = apps.get_model("treatments", "Indication")
    Room = apps.get_model("diary", "Room")
    indications = {i.slug: i for i in Indication.objects.all()}
    for name, slug, kind, minutes, indication in TYPES:
        AppointmentType.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "default_minutes": minutes,
                "indication": indications.get(indication) if indication else None,
            },
        )
    for name in ROOMS:
        Room.objects.get_or_create(name=name)


def reverse(apps, schema_editor):
    apps.get_model("diary", "AppointmentType").objects.filter(
        slug__in=[slug for _, slug, *_ in TYPES]
    ).delete()
    apps.get_model("diary", "Room").objects.filter(name__in=ROOMS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0002_no_overlap_postgres"),
        ("treatments", "0004_seed_dose_reference"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
