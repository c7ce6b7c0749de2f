"""The practitioner-activity report's index-only count of distinct patients per
practitioner and product (SessionTotals.product_prev_day, 0033-0034), built CONCURRENTLY
on PostgreSQL (clinic.migration_ops): the table stays writable meanwhile."""

from django.db import migrations, models

from clinic import migration_ops


class Migration(migrations.Migration):
    atomic = False  # indexes built CONCURRENTLY on PostgreSQL (clinic.migration_ops)

    dependencies = [("treatments", "0034_fill_sessiontotals_product_prev_day")]

    operations = [
        migration_ops.AddIndex(
            model_name="sessiontotals",
            index=models.Index(
                fields=["day", "product_prev_day", "practitioner", "product"],
                name="sessiontotals_activity_idx",
            ),
        ),
    ]
