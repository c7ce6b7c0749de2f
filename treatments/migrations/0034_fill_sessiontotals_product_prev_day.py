"""The backfill of SessionTotals.product_prev_day (0033) for the sessions already
summarised, in batches of patients, each batch its own short transaction (well inside the
statement timeout, and no lock held across batches; about 4 minutes at 5 million
sessions on 2 cores). Run again, it writes the same days. A session the previous release
signs while this runs may keep an empty day: `manage.py rebuild_rollups --check` finds it
and `rebuild_rollups` mends it."""

from django.db import migrations

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
                print(f"  0034: patients {done:,}/{high - low + 1:,}, {filled:,} rows", flush=True)


class Migration(migrations.Migration):
    atomic = False  # each batch its own transaction

    dependencies = [("treatments", "0033_sessiontotals_product_prev_day")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
