"""Practitioner activity's distinct patients per practitioner and product (issue 14.5):
each session's previous signed session day with the same practitioner and product, as
signing writes it from now on (treatments.services.rollups) and `rebuild_rollups`
computes it.

Expand only (docs/operations.md, "Upgrading"): a nullable column, its index built
CONCURRENTLY on PostgreSQL, and the backfill in batches of patients, each batch its own
short transaction (well inside the statement timeout, and no lock held across batches;
about 4 minutes at 5 million sessions on 2 cores). A session the previous release signs
while this runs may keep an empty day: `manage.py rebuild_rollups --check` finds it and
`rebuild_rollups` mends it."""

from django.conf import settings
from django.db import migrations, models

from clinic import migration_ops

PATIENTS_PER_BATCH = 20_000

# The same LAG as treatments.services.rollup_rebuild.PREV_DAYS, frozen here, for the
# sessions of the patients in [%s, %s).
FILL = """
UPDATE treatments_sessiontotals SET product_prev_day = w.product_prev_day
FROM (
    SELECT session_id,
           LAG(day) OVER (PARTITION BY patient_id, practitioner_id, product_id
                          ORDER BY day, session_id) AS product_prev_day
    FROM treatments_sessiontotals WHERE patient_id >= %s AND patient_id < %s
) w
WHERE treatments_sessiontotals.session_id = w.session_id AND w.product_prev_day IS NOT NULL
"""


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT MIN(patient_id), MAX(patient_id) FROM treatments_sessiontotals")
        low, high = cursor.fetchone()
        if low is None:
            return
        filled = 0
        for start in range(low, high + 1, PATIENTS_PER_BATCH):
            cursor.execute(FILL, [start, start + PATIENTS_PER_BATCH])
            filled += cursor.rowcount
            done = min(start + PATIENTS_PER_BATCH, high + 1) - low
            if high - low > PATIENTS_PER_BATCH:
                print(f"  0033: patients {done:,}/{high - low + 1:,}, {filled:,} rows", flush=True)


class Migration(migrations.Migration):
    atomic = False  # the index CONCURRENTLY; each batch of the backfill its own transaction

    dependencies = [
        ("patients", "0001_squashed_0019"),
        ("treatments", "0002_squashed_0032"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sessiontotals",
            name="product_prev_day",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migration_ops.AddIndex(
            model_name="sessiontotals",
            index=models.Index(
                fields=["day", "product_prev_day", "practitioner", "product"],
                name="sessiontotals_activity_idx",
            ),
        ),
    ]
