"""Number the vials booked in before stock labels existed (issue 13.13): within each
product and lot, in the order they were received (then by id), 1, 2, 3 ... so that every
vial has its label (C3709C3/03). Their history rows take the vial's number (a vial's lot
never changes, so neither does its number)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def number_vials(apps, schema_editor):
    Vial = apps.get_model("treatments", "Vial")
    counters: dict[tuple[int, str], int] = {}
    changed = []
    for vial in (
        Vial.objects.filter(lot_sequence__isnull=True)
        .order_by("received_on", "id")
        .only("id", "product_id", "lot", "lot_sequence")
        .iterator(chunk_size=2000)
    ):
        key = (vial.product_id, vial.lot)
        counters[key] = counters.get(key, 0) + 1
        vial.lot_sequence = counters[key]
        changed.append(vial)
        if len(changed) >= 2000:
            Vial.objects.bulk_update(changed, ["lot_sequence"])
            changed = []
    if changed:
        Vial.objects.bulk_update(changed, ["lot_sequence"])
    apps.get_model("treatments", "HistoricalVial").objects.filter(lot_sequence__isnull=True).update(
        lot_sequence=Coalesce(
            Subquery(Vial.objects.filter(pk=OuterRef("id")).values("lot_sequence")[:1]),
            Value(1),
        )
    )


def forget_numbers(apps, schema_editor):
    for name in ("Vial", "HistoricalVial"):
        apps.get_model("treatments", name).objects.update(lot_sequence=None)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0018_stock_receipts")]

    operations = [migrations.RunPython(number_vials, forget_numbers)]
