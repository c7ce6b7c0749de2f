"""Masseter contouring is cosmetic (review 04/12, DOMAIN §10 rules 27 and 29).

The seed (0002) filed "Masseter hypertrophy (cosmetic)" under the category "off-label",
although its own note says the under-18 law applies: every rule that asks "is this
cosmetic?" (rule 29: no treatment or booking under 18; rule 27: defer in pregnancy;
rule 34: a prescriber's face-to-face assessment first) passed it by. An indication's
category says what the treatment is for; whether a product is licensed for it is the
dose guideline's `licensed_uk` (as for platysma bands, cosmetic and UK off-label), and
masseter contouring's only guideline (BOTOX, 0004) is unlicensed, so rule 32 still
marks every session off-label and asks for the off-label consent. The reverse puts the
seeded category back."""

from django.db import migrations

SLUG = "masseter-contouring"
NOTE = (
    " Category cosmetic (what it is for); UK off-label through its unlicensed guideline (rule 32)."
)


def forwards(apps, schema_editor):
    Indication = apps.get_model("treatments", "Indication")
    for indication in Indication.objects.filter(slug=SLUG, category="off-label"):
        indication.category = "cosmetic"
        if NOTE not in indication.notes:
            indication.notes += NOTE
        indication.save(update_fields=["category", "notes", "updated_at"])


def backwards(apps, schema_editor):
    Indication = apps.get_model("treatments", "Indication")
    for indication in Indication.objects.filter(slug=SLUG, category="cosmetic"):
        indication.category = "off-label"
        indication.notes = indication.notes.replace(NOTE, "")
        indication.save(update_fields=["category", "notes", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("treatments", "0026_course_rollup_recall_index")]

    operations = [migrations.RunPython(forwards, backwards)]
