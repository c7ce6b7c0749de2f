"""Data: which seeded side-effect terms are hypersensitivity reactions (the field added by
0045; schema and data migrations apart, STYLE 26)."""

from django.db import migrations

# DOMAIN §4.1 [S109]: the hypersensitivity reactions of the seeded terms (urticaria and
# oedema; anaphylaxis). Recorded after a toxin, each is a documented hypersensitivity to
# botulinum toxin, which rule 21 blocks.
HYPERSENSITIVITY = ("hypersensitivity", "anaphylaxis")


def mark(apps, schema_editor):
    Term = apps.get_model("treatments", "SideEffectTerm")
    Term.objects.filter(slug__in=HYPERSENSITIVITY).update(hypersensitivity=True)


def unmark(apps, schema_editor):
    apps.get_model("treatments", "SideEffectTerm").objects.update(hypersensitivity=False)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0045_side_effect_term_hypersensitivity"),
    ]

    operations = [
        migrations.RunPython(mark, unmark),
    ]
