"""The label dilution tables of DOMAIN §1.4 as each product's strength range (units per
mL, sources as there). Products with no table on file keep an empty range (no check)."""

from decimal import Decimal

from django.db import migrations

RANGES = {
    # slug: (weakest, strongest U/mL, sources)
    "botox": (
        "10",
        "200",
        "DOMAIN §1.4: SmPC table 0.5-8 mL per 100 U [S11]; OAB 100 U in 10 mL [S19b]",
    ),
    "botox-cosmetic": (
        "12.5",
        "200",
        "DOMAIN §1.4: SmPC table 0.5-8 mL per 100 U [S11]; 4 U per 0.1 mL [S28][S29]",
    ),
    "vistabel": (
        "12.5",
        "200",
        "DOMAIN §1.4: SmPC table 0.5-8 mL per 100 U [S11]; 4 U per 0.1 mL [S28][S29]",
    ),
    "dysport": (
        "100",
        "800",
        "DOMAIN §1.4: 100/200/500 U per mL, NDO 600/800 [S35]; 500 U in 1-5 mL [S43]",
    ),
    "azzalure": ("198", "199", "DOMAIN §1.4: 125 U in 0.63 mL [S31]"),
    "bocouture": ("40", "40", "DOMAIN §1.4: 50 U in 1.25 mL [S32][S32b]"),
    "jeuveau": ("40", "40", "DOMAIN §1.4: 100 U in 2.5 mL [S54]"),
    "daxxify": ("80", "83.4", "DOMAIN §1.4: 8 U per 0.1 mL [S53b]; 100 U in 1.2 mL [S53c]"),
}


def fill(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    for slug, (low, high, source) in RANGES.items():
        Product.objects.filter(slug=slug).update(
            dilution_min_units_per_ml=Decimal(low),
            dilution_max_units_per_ml=Decimal(high),
            dilution_source=source,
        )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0040_product_dilution_range")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
