"""The backfill of Vial.drawn_at_discard and of DailyWasteRollup's drawn and expiry (0036)
for the vials already discarded: each closed vial's draws as they stand now (the count at
closing was not kept before), then each wastage day's sums. In batches of vials by id,
each its own short transaction (well inside the statement timeout, no lock held across
batches), the days' sums gathered batch by batch in a temporary table and written in
one UPDATE; progress printed. Run again, it writes the same values. A vial the previous
release discards after 0036 gets no count: `manage.py rebuild_rollups --check` reports
its day, and `rebuild_rollups` gives it its draws as they stand (panel_rebuild)."""

from django.conf import settings
from django.db import migrations

VIALS_PER_BATCH = 100_000

# Frozen here (not the live services' SQL, which may name later columns).
FILL_VIALS = """
UPDATE treatments_vial SET drawn_at_discard = COALESCE(
    (SELECT SUM(d.units) FROM treatments_vialdraw d WHERE d.vial_id = treatments_vial.id), 0)
WHERE discarded_at IS NOT NULL AND drawn_at_discard IS NULL AND id >= %s AND id < %s
"""
# The batch's vials per wastage day (a UK day), product and lot.
GATHER = """
INSERT INTO closing_days (day, product_id, lot, drawn, expiry)
SELECT {day}, product_id, lot, SUM(drawn_at_discard), MIN(expiry)
FROM treatments_vial WHERE discarded_at IS NOT NULL AND id >= %s AND id < %s
GROUP BY 1, 2, 3
"""
FILL_ROLLUP = """
UPDATE treatments_dailywasterollup SET drawn = e.drawn, expiry = e.expiry
FROM (
    SELECT day, product_id, lot, SUM(drawn) AS drawn, MIN(expiry) AS expiry
    FROM closing_days GROUP BY 1, 2, 3
) e
WHERE treatments_dailywasterollup.day = e.day
  AND treatments_dailywasterollup.product_id = e.product_id
  AND treatments_dailywasterollup.lot = e.lot
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(id), MAX(id) FROM treatments_vial WHERE discarded_at IS NOT NULL"
        )
        low, high = cursor.fetchone()
        if low is None:
            return
        cursor.execute("DROP TABLE IF EXISTS closing_days")
        cursor.execute(
            "CREATE TEMPORARY TABLE closing_days "
            "(day date, product_id bigint, lot varchar(40), drawn decimal(14, 2), expiry date)"
        )
        day_sql, day_params = connection.ops.datetime_cast_date_sql(
            "discarded_at", (), settings.TIME_ZONE
        )
        gather = GATHER.format(day=day_sql)
        filled = 0
        for start in range(low, high + 1, VIALS_PER_BATCH):
            cursor.execute(FILL_VIALS, [start, start + VIALS_PER_BATCH])
            filled += cursor.rowcount
            cursor.execute(gather, [*day_params, start, start + VIALS_PER_BATCH])
            if high - low >= VIALS_PER_BATCH:
                done = min(start + VIALS_PER_BATCH, high + 1) - low
                print(f"  0037: vials {done:,}/{high - low + 1:,}, {filled:,} closed", flush=True)
        cursor.execute(FILL_ROLLUP)
        if high - low >= VIALS_PER_BATCH:
            print(f"  0037: {cursor.rowcount:,} wastage days", flush=True)
        cursor.execute("DROP TABLE closing_days")


class Migration(migrations.Migration):
    atomic = False  # each batch its own transaction

    dependencies = [("treatments", "0036_vial_drawn_at_discard")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
