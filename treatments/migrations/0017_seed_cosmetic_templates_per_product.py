# Clinical text keeps the typography of DOMAIN.md (multiplication signs).
# ruff: noqa: RUF001
"""Standard cosmetic points for every product licensed for the area (issue 13.9): glabellar
lines and crow's feet for Vistabel, Azzalure and Bocouture as well as BOTOX, so a session
of any of them starts pre-filled (a Vistabel glabellar session started empty).

Doses are the labelled area doses already seeded as DoseGuideline rows (0004) with the
same sources; volumes are at the usual dilutions (Allergan and Merz 4 U per 0.1 mL, i.e.
50 U in 1.25 mL; Azzalure 10 Speywood U per 0.05 mL, 125 U in 0.63 mL). The reverse
removes exactly these templates (their rows cascade)."""

from decimal import Decimal as D

from django.db import migrations

VERIFIED_ON = "2026-12-02"
AVOID_PTOSIS = " Avoid the levator palpebrae (ptosis)."

GLABELLAR_4U = [
    ("procerus", "midline", D("4"), D("0.1"), 1),
    ("corrugator", "left", D("8"), D("0.2"), 2),
    ("corrugator", "right", D("8"), D("0.2"), 2),
]
CROWS_FEET_4U = [
    ("lateral-orbicularis-oculi", "left", D("12"), D("0.3"), 3),
    ("lateral-orbicularis-oculi", "right", D("12"), D("0.3"), 3),
]

TEMPLATES = [
    {
        "slug": "glabellar-vistabel",
        "name": "Glabellar lines, Vistabel (20 U)",
        "indication": "glabellar-lines",
        "product": "vistabel",
        "description": "5 points × 4 Allergan U (0.1 mL at 4 U per 0.1 mL): 1 procerus, 2 per "
        "corrugator." + AVOID_PTOSIS,
        "source": "S29, S27, S28",
        "rows": GLABELLAR_4U,
    },
    {
        "slug": "glabellar-bocouture",
        "name": "Glabellar lines, Bocouture (20 U)",
        "indication": "glabellar-lines",
        "product": "bocouture",
        "description": "5 points × 4 Merz U (0.1 mL at 4 U per 0.1 mL): 1 procerus, 2 per "
        "corrugator; up to 30 U per the label." + AVOID_PTOSIS,
        "source": "S32",
        "rows": GLABELLAR_4U,
    },
    {
        "slug": "crows-feet-vistabel",
        "name": "Crow's feet, Vistabel (24 U)",
        "indication": "lateral-canthal-lines",
        "product": "vistabel",
        "description": "3 points × 4 Allergan U (0.1 mL) per side into the lateral orbicularis "
        "oculi: 12 U per side, 24 U in total.",
        "source": "S29, S27",
        "rows": CROWS_FEET_4U,
    },
    {
        "slug": "crows-feet-bocouture",
        "name": "Crow's feet, Bocouture (24 U)",
        "indication": "lateral-canthal-lines",
        "product": "bocouture",
        "description": "3 points × 4 Merz U (0.1 mL) per side into the lateral orbicularis "
        "oculi: 12 U per side, 24 U in total.",
        "source": "S32",
        "rows": CROWS_FEET_4U,
    },
    {
        "slug": "crows-feet-azzalure",
        "name": "Crow's feet, Azzalure (60 U)",
        "indication": "lateral-canthal-lines",
        "product": "azzalure",
        "description": "3 points × 10 Speywood U (0.05 mL) per side into the lateral "
        "orbicularis oculi: 30 U per side, 60 U in total (verify against the SmPC).",
        "source": "S30",
        "rows": [
            ("lateral-orbicularis-oculi", "left", D("30"), D("0.15"), 3),
            ("lateral-orbicularis-oculi", "right", D("30"), D("0.15"), 3),
        ],
    },
]


TEMPLATES_BY_SLUG = {spec["slug"]: spec for spec in TEMPLATES}


def seed(apps, schema_editor):
    Product = apps.get_model("treatments", "Product")
    Indication = apps.get_model("treatments", "Indication")
    AnatomicalSite = apps.get_model("treatments", "AnatomicalSite")
    SiteTemplate = apps.get_model("treatments", "SiteTemplate")
    SiteTemplateRow = apps.get_model("treatments", "SiteTemplateRow")
    sites = {site.slug: site for site in AnatomicalSite.objects.all()}
    for spec in TEMPLATES:
        template, _ = SiteTemplate.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "indication": Indication.objects.get(slug=spec["indication"]),
                "product": Product.objects.get(slug=spec["product"]),
                "description": spec["description"],
                "source": spec["source"],
                "verified_on": VERIFIED_ON,
            },
        )
        for order, (site, side, units, volume, points) in enumerate(spec["rows"], start=1):
            SiteTemplateRow.objects.update_or_create(
                template=template,
                order=order,
                defaults={
                    "site": sites[site],
                    "side": side,
                    "units": units,
                    "volume_ml": volume,
                    "points": points,
                },
            )


def unseed(apps, schema_editor):
    SiteTemplate = apps.get_model("treatments", "SiteTemplate")
    SiteTemplate.objects.filter(slug__in=[spec["slug"] for spec in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0016_session_vial_signed_immutable")]

    operations = [migrations.RunPython(seed, unseed)]
