"""Practitioner activity's distinct patients per practitioner and product (issue 14.5):
each session's previous signed session day with the same practitioner and product, as
signing writes it from now on (treatments.services.rollups) and `rebuild_rollups`
computes it. Expand only (docs/operations.md, "Upgrading"), in three migrations so that a
failure part-way resumes where it stopped: the nullable column (here), its backfill in
batches (0034), its index built CONCURRENTLY (0035)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0032_vial_lot_upper_index")]

    operations = [
        migrations.AddField(
            model_name="sessiontotals",
            name="product_prev_day",
            field=models.DateField(blank=True, null=True),
        ),
    ]
