"""The backfill of Vial.drawn_at_discard and of DailyWasteRollup's drawn and expiry (0036)
for the vials already discarded: each closed vial's draws as they stand now (the count at
closing was not kept before), then each wastage day's sums. In batches of vials by id,
each its own short transaction (well inside the statement timeout, no lock held across
batches, nothing kept in the database session between them: a pooler in transaction
mode may give each its own); the days' sums are gathered here and written in one
transaction at the end; progress printed. Run again, it writes the same values. A vial
the previous release discards after 0036 gets no count: `manage.py rebuild_rollups
--check` reports it, and `rebuild_rollups` gives it its draws as they stand
(panel_rebuild)."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, transaction

VIALS_PER_BATCH = 100_000
CENT = Decimal("0.01")

# Frozen here (not the live services' SQL, which may name later columns).
FILL_VIALS = """
UPDATE treatments_vial SET drawn_at_discard = COALESCE(
    (SELECT SUM(d.units) FROM treatments_vialdraw d WHERE d.vial_id = treatments_vial.id), 0)
WHERE discarded_at IS NOT NULL AND drawn_at_discard IS NULL AND id >= %s AND id < %s
"""
# The batch's vials per wastage day (a UK day), product and lot. A vial the previous
# release discarded meanwhile has no count yet: 0 here, as its own day's row has.
GATHER = """
SELECT {day}, product_id, lot, COALESCE(SUM(drawn_at_discard), 0), MIN(expiry)
FROM treatments_vial WHERE discarded_at IS NOT NULL AND id >= %s AND id < %s
GROUP BY 1, 2, 3
"""
FILL_DAY = """
UPDATE treatments_dailywasterollup SET drawn = %s, expiry = %s
WHERE day = %s AND product_id = %s AND lot = %s
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
        day_sql, day_params = connection.ops.datetime_cast_date_sql(
            "discarded_at", (), settings.TIME_ZONE
        )
        gather = GATHER.format(day=day_sql)
        days = {}  # (day, product, lot): [drawn, earliest expiry]
        filled = 0
        for start in range(low, high + 1, VIALS_PER_BATCH):
            cursor.execute(FILL_VIALS, [start, start + VIALS_PER_BATCH])
            filled += cursor.rowcount
            cursor.execute(gather, [*day_params, start, start + VIALS_PER_BATCH])
            for day, product_id, lot, drawn, expiry in cursor.fetchall():
                sums = days.setdefault((day, product_id, lot), [Decimal(0), expiry])
                sums[0] += Decimal(str(drawn))  # SQLite's SUM may be a float
                sums[1] = min(sums[1], expiry)
            if high - low >= VIALS_PER_BATCH:
                done = min(start + VIALS_PER_BATCH, high + 1) - low
                print(f"  0037: vials {done:,}/{high - low + 1:,}, {filled:,} closed", flush=True)
        with transaction.atomic(using=connection.alias):
            cursor.executemany(
                FILL_DAY,
                [
                    (drawn.quantize(CENT), expiry, day, product_id, lot)
                    for (day, product_id, lot), (drawn, expiry) in days.items()
                ],
            )
        if high - low >= VIALS_PER_BATCH:
            print(f"  0037: {len(days):,} wastage days", flush=True)


class Migration(migrations.Migration):
    atomic = False  # each batch its own transaction

    dependencies = [("treatments", "0036_vial_drawn_at_discard")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
