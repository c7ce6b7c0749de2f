from django.db import migrations, models

from clinic import migration_ops


class Migration(migrations.Migration):
    atomic = False  # the index built CONCURRENTLY on PostgreSQL (clinic.migration_ops)

    dependencies = [("treatments", "0048_withdrawn_session_final")]

    operations = [
        migration_ops.AddIndex(
            model_name="vial",
            index=models.Index(
                condition=models.Q(("discarded_at__isnull", False)),
                fields=["product", "discarded_at"],
                name="vial_discarded_idx",
            ),
        ),
    ]
