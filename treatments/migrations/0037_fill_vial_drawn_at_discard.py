"""The backfill of Vial.drawn_at_discard and of DailyWasteRollup's drawn and expiry (0036)
for the vials already discarded: each closed vial's draws as they stand now (the closing
count was not kept before), then each wastage day's sums. In batches (vials by id, days
by month), each its own short transaction, well inside the statement timeout; progress
printed. Run again, it writes the same values. A vial the previous release discards while
this runs may keep an empty count: `manage.py rebuild_rollups --check` tells, and the
vial's own count can be set by running this migration's `fill` again."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

VIALS_PER_BATCH = 100_000

# Frozen here (not the live services' SQL, which may name later columns).
FILL_VIALS = """
UPDATE treatments_vial SET drawn_at_discard = COALESCE(
    (SELECT SUM(d.units) FROM treatments_vialdraw d WHERE d.vial_id = treatments_vial.id), 0)
WHERE discarded_at IS NOT NULL AND drawn_at_discard IS NULL AND id >= %s AND id < %s
"""
FILL_ROLLUP = """
UPDATE treatments_dailywasterollup SET drawn = e.drawn, expiry = e.expiry
FROM (
    SELECT {day} AS day, product_id, lot, COALESCE(SUM(drawn_at_discard), 0) AS drawn,
           MIN(expiry) AS expiry
    FROM treatments_vial WHERE discarded_at >= %s AND discarded_at < %s
    GROUP BY 1, 2, 3
) e
WHERE treatments_dailywasterollup.day = e.day
  AND treatments_dailywasterollup.product_id = e.product_id
  AND treatments_dailywasterollup.lot = e.lot
"""


def _months(first: date, last: date):
    """(start, end) of each month from first's to last's, as UK midnights (a wastage day is
    a UK day: no day is split between two batches)."""
    uk = ZoneInfo(settings.TIME_ZONE)
    month = date(first.year, first.month, 1)
    while month <= last:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        yield (
            datetime.combine(month, time.min, tzinfo=uk),
            datetime.combine(following, time.min, tzinfo=uk),
        )
        month = following


def _aware(value) -> datetime:
    """A timestamp as the raw cursor gives it: aware (PostgreSQL), or UTC text (SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(id), MAX(id), MIN(discarded_at), MAX(discarded_at) "
            "FROM treatments_vial WHERE discarded_at IS NOT NULL"
        )
        low, high, first, last = cursor.fetchone()
        if low is None:
            return
        filled = 0
        for start in range(low, high + 1, VIALS_PER_BATCH):
            cursor.execute(FILL_VIALS, [start, start + VIALS_PER_BATCH])
            filled += cursor.rowcount
            if high - low >= VIALS_PER_BATCH:
                done = min(start + VIALS_PER_BATCH, high + 1) - low
                print(f"  0037: vials {done:,}/{high - low + 1:,}, {filled:,} closed", flush=True)
        day_sql, day_params = connection.ops.datetime_cast_date_sql(
            "discarded_at", (), settings.TIME_ZONE
        )
        sql = FILL_ROLLUP.format(day=day_sql)
        uk = ZoneInfo(settings.TIME_ZONE)
        first, last = (_aware(value).astimezone(uk).date() for value in (first, last))
        months = list(_months(first, last))
        adapt = connection.ops.adapt_datetimefield_value  # SQLite: UTC text, as stored
        for number, (start, end) in enumerate(months, start=1):
            cursor.execute(sql, [*day_params, adapt(start), adapt(end)])
            if len(months) > 12 and number % 12 == 0:
                print(f"  0037: wastage days, month {number}/{len(months)}", flush=True)


class Migration(migrations.Migration):
    atomic = False  # each batch its own transaction

    dependencies = [("treatments", "0036_vial_drawn_at_discard")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
