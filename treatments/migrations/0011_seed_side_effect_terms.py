"""Data: the reaction terms practitioners pick from (DOMAIN §4.1, §3.3, §11.3) and the
timing of the side-effect review after each session (DOMAIN §4.2).

"other" lets a practitioner describe a reaction not on the list. Terms flagged
spread_alarm are the distant-spread signs of the boxed warning (DOMAIN §3.3, rule 40).
"""

import datetime
from decimal import Decimal

from django.db import migrations

VERIFIED_ON = datetime.date(2026, 11, 21)

# slug, name, spread_alarm, source
TERMS = [
    ("eyelid-ptosis", "Eyelid ptosis (drooping eyelid)", False, "S95, S96, S53, S33"),
    ("brow-ptosis", "Brow ptosis", False, "S33"),
    ("asymmetry", "Asymmetry", False, "S33"),
    ("facial-paresis", "Facial paresis", False, "S53"),
    ("diplopia", "Diplopia (double vision)", False, "S13, S18"),
    ("strabismus-overcorrection", "Strabismus overcorrection", False, "S18"),
    ("headache", "Headache", False, "S53, S14"),
    ("migraine-exacerbation", "Headache or migraine exacerbation", False, "S96"),
    ("neck-pain", "Neck pain", False, "S95, S14"),
    ("neck-stiffness", "Neck or musculoskeletal stiffness", False, "S95, S96"),
    ("muscular-weakness", "Muscular weakness", False, "S53"),
    ("pinch-weakness", "Hand or pinch weakness", False, "S92"),
    ("myalgia", "Myalgia", False, "S95"),
    ("injection-site-pain", "Injection-site pain", False, "S96, S97, S53"),
    ("injection-site-reaction", "Injection-site swelling or erythema", False, "S53, S33"),
    ("bruising", "Bruising or haematoma", False, "S33, S13"),
    ("vasovagal", "Vasovagal reaction or fainting", False, "S33, S96"),
    ("dry-mouth", "Dry mouth", False, "S97"),
    ("dysphagia", "Dysphagia (difficulty swallowing)", True, "S14, S96, S23, S1"),
    ("dysarthria", "Speech difficulty (dysarthria)", True, "S1"),
    ("dyspnoea", "Breathing difficulty (dyspnoea)", True, "S1, S109"),
    ("distant-spread", "Generalised weakness / suspected distant spread", True, "S1, S56"),
    ("urti", "Upper respiratory tract infection", False, "S14, S53"),
    ("uti", "Urinary tract infection", False, "S19, S17b"),
    ("dysuria", "Dysuria", False, "S19"),
    ("urinary-retention", "Urinary retention", False, "S19, S101"),
    ("haematuria", "Haematuria", False, "S17b"),
    ("hypersensitivity", "Hypersensitivity (urticaria, oedema)", False, "S109"),
    ("anaphylaxis", "Anaphylaxis", True, "S109"),
    ("other", "Other (describe)", False, "DOMAIN §4.5"),
]

PARAMETERS = [
    (
        "side_effect_review_days",
        Decimal(14),
        "days",
        "Side-effect review after each session (the 2-week review)",
        "DOMAIN §4.2 (S19, S33)",
    ),
    (
        "side_effect_late_window_days",
        Decimal(28),
        "days",
        "Ask about late symptoms (distant spread, iatrogenic botulism) up to this long",
        "DOMAIN §4.2 (S1, S56)",
    ),
    (
        "yellow_card_older_age_years",
        Decimal(65),
        "years",
        "MHRA advice asks for all suspected reactions in people this age and over",
        "DOMAIN §4.5, §10 rule 39 (S59e)",
    ),
]


def seed(apps, schema_editor):
    term = apps.get_model("treatments", "SideEffectTerm")
    for slug, name, alarm, source in TERMS:
        term.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "spread_alarm": alarm,
                "source": source,
                "verified_on": VERIFIED_ON,
            },
        )
    parameter = apps.get_model("treatments", "SafetyParameter")
    for key, value, unit, description, source in PARAMETERS:
        parameter.objects.update_or_create(
            key=key,
            defaults={
                "value": value,
                "unit": unit,
                "description": description,
                "source": source,
                "verified_on": VERIFIED_ON,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("treatments", "SideEffectTerm").objects.all().delete()
    apps.get_model("treatments", "SafetyParameter").objects.filter(
        key__in=[key for key, *_ in PARAMETERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0010_side_effects")]

    operations = [migrations.RunPython(seed, unseed)]
