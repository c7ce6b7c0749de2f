"""Question 12 asked as two questions (issue 13.3): a urinary infection now, and
difficulty emptying the bladder (retention). The merged answer stays until 0012 has
copied it; 0013 removes it."""

from django.db import migrations, models

ANSWERS = [("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")]


def _field(label: str) -> models.CharField:
    return models.CharField(label, max_length=3, choices=ANSWERS, default="n/a")


class Migration(migrations.Migration):
    dependencies = [("patients", "0010_name_key_search_indexes")]

    operations = [
        migrations.AddField(
            model_name=model,
            name=name,
            field=_field(label),
            preserve_default=False,
        )
        for model in ("intakequestionnaire", "historicalintakequestionnaire")
        for name, label in (
            ("urinary_infection", "urinary infection now (burning, frequency, fever)"),
            ("urinary_retention", "difficulty emptying the bladder (urinary retention)"),
        )
    ] + [
        migrations.AlterField(
            model_name=model,
            name="can_self_catheterise",
            field=models.CharField(
                "performs clean intermittent self-catheterisation", max_length=3, choices=ANSWERS
            ),
        )
        for model in ("intakequestionnaire", "historicalintakequestionnaire")
    ]
