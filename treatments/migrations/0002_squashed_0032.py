"""treatments 0002_seed_reference_data to 0032_vial_lot_upper_index as one migration, for a
new database: the models created as they stand after them
(clinic.migration_ops.CreateModels: the migration state rendered once), then the data
steps of those migrations in their order (clinic.migration_ops.DataSteps). A database
that has them applied already carries on from them (`replaces`); they stay until every
database has been migrated past them.

Left out of the data steps, as they only rewrite or summarise rows staff entered (a new
database has none) or add what the created models already have:
- 0014_second_vial_to_session_vials: second_vial_to_links()
- 0019_backfill_vial_lot_sequence: number_vials()
- 0022_fill_session_rollups: fill()
- 0024_patient_return_rollup: fill()
- 0025_panel_rollups: fill()
- 0026_course_rollup_recall_index: fill()
- 0030_side_effect_outcome_matches_resolution_date: add_constraints()
"""

import uuid
from decimal import Decimal

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import clinic.migration_ops

# (module, function) of each data step, forwards and backwards, in the migrations' order
# (clinic.migration_ops.DataSteps).
STEPS = [
    (
        ("treatments.migrations.0002_seed_reference_data", "seed"),
        ("treatments.migrations.0002_seed_reference_data", "unseed"),
    ),
    (
        ("treatments.migrations.0004_seed_dose_reference", "seed"),
        ("treatments.migrations.0004_seed_dose_reference", "unseed"),
    ),
    (
        ("treatments.migrations.0007_seed_nice_parameters", "seed"),
        ("treatments.migrations.0007_seed_nice_parameters", "unseed"),
    ),
    (
        ("treatments.migrations.0009_seed_responder_parameters", "seed"),
        ("treatments.migrations.0009_seed_responder_parameters", "unseed"),
    ),
    (
        ("treatments.migrations.0011_seed_side_effect_terms", "seed"),
        ("treatments.migrations.0011_seed_side_effect_terms", "unseed"),
    ),
    (
        ("treatments.migrations.0012_signed_session_immutable", "forward"),
        ("treatments.migrations.0012_signed_session_immutable", "reverse"),
    ),
    (
        ("treatments.migrations.0016_session_vial_signed_immutable", "forward"),
        ("treatments.migrations.0016_session_vial_signed_immutable", "reverse"),
    ),
    (
        ("treatments.migrations.0017_seed_cosmetic_templates_per_product", "seed"),
        ("treatments.migrations.0017_seed_cosmetic_templates_per_product", "unseed"),
    ),
    (
        ("treatments.migrations.0027_masseter_contouring_cosmetic", "forwards"),
        ("treatments.migrations.0027_masseter_contouring_cosmetic", "backwards"),
    ),
    (
        ("treatments.migrations.0028_seed_childbearing_age_parameters", "seed"),
        ("treatments.migrations.0028_seed_childbearing_age_parameters", "unseed"),
    ),
]


class Migration(migrations.Migration):
    replaces = [
        ("treatments", "0002_seed_reference_data"),
        ("treatments", "0003_sessions_vials_safety_reference"),
        ("treatments", "0004_seed_dose_reference"),
        ("treatments", "0005_vial_lookup_lot_permission"),
        ("treatments", "0006_second_vial_and_draws"),
        ("treatments", "0007_seed_nice_parameters"),
        ("treatments", "0008_outcome_assessments"),
        ("treatments", "0009_seed_responder_parameters"),
        ("treatments", "0010_side_effects"),
        ("treatments", "0011_seed_side_effect_terms"),
        ("treatments", "0012_signed_session_immutable"),
        ("treatments", "0013_session_vials_prescriber_assessment_age_check"),
        ("treatments", "0014_second_vial_to_session_vials"),
        ("treatments", "0015_remove_second_vial"),
        ("treatments", "0016_session_vial_signed_immutable"),
        ("treatments", "0017_seed_cosmetic_templates_per_product"),
        ("treatments", "0018_stock_receipts"),
        ("treatments", "0019_backfill_vial_lot_sequence"),
        ("treatments", "0020_vial_stock_label_required"),
        ("treatments", "0021_session_rollups"),
        ("treatments", "0022_fill_session_rollups"),
        ("treatments", "0023_session_totals_practitioner_index"),
        ("treatments", "0024_patient_return_rollup"),
        ("treatments", "0025_panel_rollups"),
        ("treatments", "0026_course_rollup_recall_index"),
        ("treatments", "0027_masseter_contouring_cosmetic"),
        ("treatments", "0028_seed_childbearing_age_parameters"),
        ("treatments", "0029_session_directing_doctor"),
        ("treatments", "0030_side_effect_outcome_matches_resolution_date"),
        ("treatments", "0031_vial_open_index"),
        ("treatments", "0032_vial_lot_upper_index"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("patients", "0016_search_distinct_names"),
        ("treatments", "0001_reference_models"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalindication",
            name="safety_profile",
            field=models.CharField(
                choices=[
                    ("general", "General"),
                    ("bladder", "Bladder (intradetrusor): rule 26"),
                    ("chronic-migraine", "Chronic migraine (PREEMPT): rules 16, 33"),
                    ("blepharospasm", "Blepharospasm / hemifacial spasm: rule 15"),
                    ("strabismus", "Strabismus: rule 14"),
                ],
                default="general",
                help_text="Indication-specific rule set of DOMAIN §10",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="cosmetic_max_age_years",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Cosmetic licence upper age, e.g. under 65 (rule 30)",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="cosmetic_neuromuscular_contraindicated",
            field=models.BooleanField(
                default=False,
                help_text="Cosmetic use contraindicated with myasthenia gravis / Lambert-Eaton (rule 24)",
            ),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="inflammation_contraindicated",
            field=models.BooleanField(
                default=False, help_text="Inflammation at the site is a contraindication (rule 22)"
            ),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="milk_protein_contraindicated",
            field=models.BooleanField(
                default=False, help_text="Contraindicated with cow's milk protein allergy (rule 23)"
            ),
        ),
        migrations.AddField(
            model_name="indication",
            name="safety_profile",
            field=models.CharField(
                choices=[
                    ("general", "General"),
                    ("bladder", "Bladder (intradetrusor): rule 26"),
                    ("chronic-migraine", "Chronic migraine (PREEMPT): rules 16, 33"),
                    ("blepharospasm", "Blepharospasm / hemifacial spasm: rule 15"),
                    ("strabismus", "Strabismus: rule 14"),
                ],
                default="general",
                help_text="Indication-specific rule set of DOMAIN §10",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="cosmetic_max_age_years",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Cosmetic licence upper age, e.g. under 65 (rule 30)",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="cosmetic_neuromuscular_contraindicated",
            field=models.BooleanField(
                default=False,
                help_text="Cosmetic use contraindicated with myasthenia gravis / Lambert-Eaton (rule 24)",
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="inflammation_contraindicated",
            field=models.BooleanField(
                default=False, help_text="Inflammation at the site is a contraindication (rule 22)"
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="milk_protein_contraindicated",
            field=models.BooleanField(
                default=False, help_text="Contraindicated with cow's milk protein allergy (rule 23)"
            ),
        ),
        clinic.migration_ops.CreateModels(
            [
                migrations.CreateModel(
                    name="SafetyParameter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("key", models.SlugField(max_length=60, unique=True)),
                        ("value", models.DecimalField(decimal_places=2, max_digits=10)),
                        ("unit", models.CharField(blank=True, max_length=30)),
                        ("description", models.CharField(max_length=250)),
                    ],
                    options={
                        "ordering": ["key"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalDoseGuideline",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        (
                            "licensed_uk",
                            models.BooleanField(
                                help_text="Licensed in a current UK SmPC (rule 32)"
                            ),
                        ),
                        (
                            "expected_min_units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Labelled dose range, low end: a dose outside warns (rules 16-18)",
                                max_digits=8,
                                null=True,
                            ),
                        ),
                        (
                            "expected_max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "min_interval_days",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Overrides the indication's default interval",
                                null=True,
                            ),
                        ),
                        ("min_age_years", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "min_weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=5, null=True
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical dose guideline",
                        "verbose_name_plural": "historical dose guidelines",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalDoseLimit",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        (
                            "code",
                            models.SlugField(
                                help_text="Stable finding code, e.g. dose-session-max",
                                max_length=60,
                            ),
                        ),
                        (
                            "label",
                            models.CharField(help_text="Shown to the practitioner", max_length=200),
                        ),
                        (
                            "unit_family",
                            models.CharField(
                                choices=[
                                    ("allergan", "Allergan (onabotulinumtoxinA)"),
                                    ("speywood", "Speywood (abobotulinumtoxinA)"),
                                    ("merz", "Merz (incobotulinumtoxinA)"),
                                    ("evolus", "Evolus (prabotulinumtoxinA)"),
                                    ("solstice-b", "Solstice (rimabotulinumtoxinB)"),
                                    ("revance", "Revance (daxibotulinumtoxinA)"),
                                    ("hugel", "Hugel (letibotulinumtoxinA)"),
                                    ("galderma-rela", "Galderma (relabotulinumtoxinA)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "population",
                            models.CharField(
                                choices=[
                                    ("any", "Any age"),
                                    ("adult", "Adults (18 and over)"),
                                    ("child", "Children (under 18)"),
                                ],
                                default="any",
                                max_length=10,
                            ),
                        ),
                        (
                            "scope",
                            models.CharField(
                                choices=[
                                    ("session", "Per session (total)"),
                                    ("site", "Per injection site"),
                                    ("muscle-group", "Per muscle group (named)"),
                                    ("side", "Per side (e.g. per eye, per axilla)"),
                                    ("window", "Rolling window across sessions (days)"),
                                ],
                                max_length=15,
                            ),
                        ),
                        (
                            "muscle_group",
                            models.CharField(
                                blank=True, help_text="For muscle-group scope", max_length=100
                            ),
                        ),
                        (
                            "laterality",
                            models.CharField(
                                choices=[
                                    ("any", "Any"),
                                    ("unilateral", "One side treated"),
                                    ("bilateral", "Both sides treated"),
                                ],
                                default="any",
                                max_length=12,
                            ),
                        ),
                        ("window_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "max_units_per_kg",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=6, null=True
                            ),
                        ),
                        (
                            "max_volume_ml",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=6, null=True
                            ),
                        ),
                        (
                            "first_treatment_only",
                            models.BooleanField(
                                default=False,
                                help_text="Applies to a patient's first treatment with this product",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("block", "Block: cannot be signed"),
                                    ("override", "Override: needs a recorded reason"),
                                    ("warn", "Warning: acknowledged"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical dose limit",
                        "verbose_name_plural": "historical dose limits",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalSafetyParameter",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("key", models.SlugField(max_length=60)),
                        ("value", models.DecimalField(decimal_places=2, max_digits=10)),
                        ("unit", models.CharField(blank=True, max_length=30)),
                        ("description", models.CharField(max_length=250)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical safety parameter",
                        "verbose_name_plural": "historical safety parameters",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalSiteTemplate",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=60)),
                        ("name", models.CharField(max_length=150)),
                        ("description", models.TextField(blank=True)),
                        (
                            "protocol_min_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "protocol_max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "protocol_min_sites",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        (
                            "protocol_max_sites",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical site template",
                        "verbose_name_plural": "historical site templates",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalVial",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "presentation_units",
                            models.PositiveIntegerField(help_text="Units in the vial, e.g. 100"),
                        ),
                        ("lot", models.CharField(max_length=40, verbose_name="lot / batch number")),
                        ("expiry", models.DateField(verbose_name="expiry date")),
                        ("received_on", models.DateField(default=django.utils.timezone.localdate)),
                        ("reconstituted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "diluent_ml",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=5,
                                null=True,
                                verbose_name="diluent (mL)",
                            ),
                        ),
                        (
                            "use_by",
                            models.DateTimeField(
                                blank=True,
                                help_text="Reconstitution time + the product's in-use hours",
                                null=True,
                            ),
                        ),
                        ("discarded_at", models.DateTimeField(blank=True, null=True)),
                        ("discard_reason", models.CharField(blank=True, max_length=200)),
                        (
                            "wasted_units",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=8
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "discarded_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "received_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "reconstituted_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "lot_sequence",
                            models.PositiveIntegerField(
                                help_text="The vial's number within its lot in this clinic: 1, 2, 3 ..."
                            ),
                        ),
                        (
                            "receipt",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="Empty for vials booked in before receipts were recorded",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.stockreceipt",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical vial",
                        "verbose_name_plural": "historical vials",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="SiteTemplate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=60, unique=True)),
                        ("name", models.CharField(max_length=150)),
                        ("description", models.TextField(blank=True)),
                        (
                            "protocol_min_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "protocol_max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "protocol_min_sites",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        (
                            "protocol_max_sites",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="site_templates",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="site_templates",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["indication__name", "name"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="TreatmentSession",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        ("performed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=5, null=True
                            ),
                        ),
                        ("weight_measured_on", models.DateField(blank=True, null=True)),
                        (
                            "screening_reviewed",
                            models.BooleanField(
                                default=False,
                                verbose_name="today's screening answers reviewed with the patient",
                            ),
                        ),
                        (
                            "consent_taken",
                            models.BooleanField(
                                default=False, verbose_name="consent for this episode taken"
                            ),
                        ),
                        (
                            "off_label_consent",
                            models.BooleanField(
                                default=False, verbose_name="off-label use explained and consented"
                            ),
                        ),
                        (
                            "spread_advice_given",
                            models.BooleanField(
                                default=False,
                                verbose_name="advised to seek urgent care for swallowing, speech or breathing problems",
                            ),
                        ),
                        (
                            "antibiotic_prophylaxis",
                            models.BooleanField(
                                default=False,
                                verbose_name="antibiotic prophylaxis (not an aminoglycoside) given",
                            ),
                        ),
                        (
                            "pvr_ml",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="post-void residual (mL)"
                            ),
                        ),
                        (
                            "performs_cic",
                            models.BooleanField(
                                default=False,
                                verbose_name="performs clean intermittent self-catheterisation",
                            ),
                        ),
                        (
                            "antiplatelet_stopped_days",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("is_off_label", models.BooleanField(default=False, editable=False)),
                        ("top_up_reason", models.CharField(blank=True, max_length=250)),
                        ("notes", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("signed", "Signed")],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        ("signed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "indication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="treatment_sessions",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="treatment_sessions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "signed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "top_up_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="top_ups",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "vial",
                            models.ForeignKey(
                                blank=True,
                                help_text="The first vial drawn from; further vials are SessionVial rows",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="sessions",
                                to="treatments.vial",
                            ),
                        ),
                        (
                            "age_evidence_seen",
                            models.CharField(
                                blank=True,
                                max_length=120,
                                verbose_name="what was seen to verify the age",
                            ),
                        ),
                        (
                            "age_verified_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "looks_young",
                            models.BooleanField(
                                default=False,
                                verbose_name="the patient may look under the age limit: age verified",
                            ),
                        ),
                        (
                            "directing_doctor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="directing doctor",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-performed_at", "-id"],
                        "permissions": [
                            ("sign_treatmentsession", "Can sign treatment sessions"),
                            ("add_sessionaddendum", "Can add an addendum to a signed session"),
                        ],
                        "indexes": [
                            models.Index(
                                fields=["patient", "-performed_at"], name="session_patient_idx"
                            ),
                            models.Index(
                                fields=["status", "performed_at"], name="session_status_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("weight_kg__isnull", True),
                                    ("weight_kg__gt", 0),
                                    _connector="OR",
                                ),
                                name="session_weight_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "signed"), _negated=True),
                                    ("signed_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="session_signed_has_time",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SessionAddendum",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.CharField(max_length=250)),
                        ("text", models.TextField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="addenda",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["session", "created_at", "id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalInjectionPoint",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "side",
                            models.CharField(
                                choices=[
                                    ("left", "Left"),
                                    ("right", "Right"),
                                    ("midline", "Midline"),
                                    ("bilateral", "Both sides"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("units", models.DecimalField(decimal_places=2, max_digits=7)),
                        (
                            "volume_ml",
                            models.DecimalField(
                                blank=True, decimal_places=3, max_digits=6, null=True
                            ),
                        ),
                        (
                            "points",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="number of points"
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.anatomicalsite",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical injection point",
                        "verbose_name_plural": "historical injection points",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalFollowUp",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("bladder-review", "Post-void residual and UTI review"),
                                    ("review-call", "Review call"),
                                    ("diary-due", "Headache diary due"),
                                    ("side-effect-review", "Side-effect review"),
                                    ("outcome-due", "Outcome assessment due"),
                                    ("other", "Other"),
                                ],
                                max_length=25,
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("due_on", models.DateField()),
                        (
                            "rule_code",
                            models.CharField(
                                blank=True, help_text="Set when a rule made it", max_length=60
                            ),
                        ),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("outcome_note", models.CharField(blank=True, max_length=500)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical follow up",
                        "verbose_name_plural": "historical follow ups",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Vial",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "presentation_units",
                            models.PositiveIntegerField(help_text="Units in the vial, e.g. 100"),
                        ),
                        ("lot", models.CharField(max_length=40, verbose_name="lot / batch number")),
                        ("expiry", models.DateField(verbose_name="expiry date")),
                        ("received_on", models.DateField(default=django.utils.timezone.localdate)),
                        ("reconstituted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "diluent_ml",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=5,
                                null=True,
                                verbose_name="diluent (mL)",
                            ),
                        ),
                        (
                            "use_by",
                            models.DateTimeField(
                                blank=True,
                                help_text="Reconstitution time + the product's in-use hours",
                                null=True,
                            ),
                        ),
                        ("discarded_at", models.DateTimeField(blank=True, null=True)),
                        ("discard_reason", models.CharField(blank=True, max_length=200)),
                        (
                            "wasted_units",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=8
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "discarded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vials",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "received_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "reconstituted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "lot_sequence",
                            models.PositiveIntegerField(
                                help_text="The vial's number within its lot in this clinic: 1, 2, 3 ..."
                            ),
                        ),
                        (
                            "receipt",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for vials booked in before receipts were recorded",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vials",
                                to="treatments.stockreceipt",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-received_on", "-id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("discarded_at__isnull", True)),
                                fields=["product", "expiry"],
                                name="vial_open_idx",
                            ),
                            models.Index(
                                django.db.models.functions.text.Upper("lot"),
                                name="vial_lot_upper_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("presentation_units__gt", 0)),
                                name="vial_presentation_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("expiry__gt", models.F("received_on"))),
                                name="vial_expiry_after_receipt",
                                violation_error_message="The expiry date must be after the date received.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("diluent_ml__isnull", True),
                                    ("diluent_ml__gt", 0),
                                    _connector="OR",
                                ),
                                name="vial_diluent_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("wasted_units__gte", 0)),
                                name="vial_waste_not_negative",
                            ),
                            models.UniqueConstraint(
                                fields=("product", "lot", "lot_sequence"),
                                name="vial_stock_label_unique",
                                violation_error_message="Another vial of this lot already has that number.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("lot_sequence__gt", 0)),
                                name="vial_lot_sequence_positive",
                            ),
                        ],
                        "permissions": [
                            ("lookup_lot", "Can list the patients who received a lot (recall)")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalTreatmentSession",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "public_id",
                            models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
                        ),
                        ("performed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=5, null=True
                            ),
                        ),
                        ("weight_measured_on", models.DateField(blank=True, null=True)),
                        (
                            "screening_reviewed",
                            models.BooleanField(
                                default=False,
                                verbose_name="today's screening answers reviewed with the patient",
                            ),
                        ),
                        (
                            "consent_taken",
                            models.BooleanField(
                                default=False, verbose_name="consent for this episode taken"
                            ),
                        ),
                        (
                            "off_label_consent",
                            models.BooleanField(
                                default=False, verbose_name="off-label use explained and consented"
                            ),
                        ),
                        (
                            "spread_advice_given",
                            models.BooleanField(
                                default=False,
                                verbose_name="advised to seek urgent care for swallowing, speech or breathing problems",
                            ),
                        ),
                        (
                            "antibiotic_prophylaxis",
                            models.BooleanField(
                                default=False,
                                verbose_name="antibiotic prophylaxis (not an aminoglycoside) given",
                            ),
                        ),
                        (
                            "pvr_ml",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="post-void residual (mL)"
                            ),
                        ),
                        (
                            "performs_cic",
                            models.BooleanField(
                                default=False,
                                verbose_name="performs clean intermittent self-catheterisation",
                            ),
                        ),
                        (
                            "antiplatelet_stopped_days",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("is_off_label", models.BooleanField(default=False, editable=False)),
                        ("top_up_reason", models.CharField(blank=True, max_length=250)),
                        ("notes", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("signed", "Signed")],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        ("signed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "signed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "top_up_of",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "vial",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="The first vial drawn from; further vials are SessionVial rows",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.vial",
                            ),
                        ),
                        (
                            "age_evidence_seen",
                            models.CharField(
                                blank=True,
                                max_length=120,
                                verbose_name="what was seen to verify the age",
                            ),
                        ),
                        (
                            "age_verified_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "looks_young",
                            models.BooleanField(
                                default=False,
                                verbose_name="the patient may look under the age limit: age verified",
                            ),
                        ),
                        (
                            "directing_doctor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="directing doctor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical treatment session",
                        "verbose_name_plural": "historical treatment sessions",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="DoseGuideline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        (
                            "licensed_uk",
                            models.BooleanField(
                                help_text="Licensed in a current UK SmPC (rule 32)"
                            ),
                        ),
                        (
                            "expected_min_units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Labelled dose range, low end: a dose outside warns (rules 16-18)",
                                max_digits=8,
                                null=True,
                            ),
                        ),
                        (
                            "expected_max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "min_interval_days",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Overrides the indication's default interval",
                                null=True,
                            ),
                        ),
                        ("min_age_years", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "min_weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=5, null=True
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "indication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="guidelines",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="guidelines",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["indication__name", "product__brand"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("product", "indication"),
                                name="doseguideline_product_indication_unique",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("expected_min_units__isnull", True),
                                    ("expected_max_units__isnull", True),
                                    ("expected_min_units__lte", models.F("expected_max_units")),
                                    _connector="OR",
                                ),
                                name="doseguideline_expected_range_ordered",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="DoseLimit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        (
                            "code",
                            models.SlugField(
                                help_text="Stable finding code, e.g. dose-session-max",
                                max_length=60,
                            ),
                        ),
                        (
                            "label",
                            models.CharField(help_text="Shown to the practitioner", max_length=200),
                        ),
                        (
                            "unit_family",
                            models.CharField(
                                choices=[
                                    ("allergan", "Allergan (onabotulinumtoxinA)"),
                                    ("speywood", "Speywood (abobotulinumtoxinA)"),
                                    ("merz", "Merz (incobotulinumtoxinA)"),
                                    ("evolus", "Evolus (prabotulinumtoxinA)"),
                                    ("solstice-b", "Solstice (rimabotulinumtoxinB)"),
                                    ("revance", "Revance (daxibotulinumtoxinA)"),
                                    ("hugel", "Hugel (letibotulinumtoxinA)"),
                                    ("galderma-rela", "Galderma (relabotulinumtoxinA)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "population",
                            models.CharField(
                                choices=[
                                    ("any", "Any age"),
                                    ("adult", "Adults (18 and over)"),
                                    ("child", "Children (under 18)"),
                                ],
                                default="any",
                                max_length=10,
                            ),
                        ),
                        (
                            "scope",
                            models.CharField(
                                choices=[
                                    ("session", "Per session (total)"),
                                    ("site", "Per injection site"),
                                    ("muscle-group", "Per muscle group (named)"),
                                    ("side", "Per side (e.g. per eye, per axilla)"),
                                    ("window", "Rolling window across sessions (days)"),
                                ],
                                max_length=15,
                            ),
                        ),
                        (
                            "muscle_group",
                            models.CharField(
                                blank=True, help_text="For muscle-group scope", max_length=100
                            ),
                        ),
                        (
                            "laterality",
                            models.CharField(
                                choices=[
                                    ("any", "Any"),
                                    ("unilateral", "One side treated"),
                                    ("bilateral", "Both sides treated"),
                                ],
                                default="any",
                                max_length=12,
                            ),
                        ),
                        ("window_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "max_units",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "max_units_per_kg",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=6, null=True
                            ),
                        ),
                        (
                            "max_volume_ml",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=6, null=True
                            ),
                        ),
                        (
                            "first_treatment_only",
                            models.BooleanField(
                                default=False,
                                help_text="Applies to a patient's first treatment with this product",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("block", "Block: cannot be signed"),
                                    ("override", "Override: needs a recorded reason"),
                                    ("warn", "Warning: acknowledged"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="dose_limits",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="dose_limits",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["unit_family", "code", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("max_units__isnull", False),
                                    ("max_units_per_kg__isnull", False),
                                    ("max_volume_ml__isnull", False),
                                    _connector="OR",
                                ),
                                name="doselimit_has_a_maximum",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("scope", "window"), _negated=True),
                                    ("window_days__isnull", False),
                                    _connector="OR",
                                ),
                                name="doselimit_window_has_days",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="SiteTemplateRow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("order", models.PositiveSmallIntegerField()),
                        (
                            "side",
                            models.CharField(
                                choices=[
                                    ("left", "Left"),
                                    ("right", "Right"),
                                    ("midline", "Midline"),
                                    ("bilateral", "Both sides"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("units", models.DecimalField(decimal_places=2, max_digits=7)),
                        (
                            "volume_ml",
                            models.DecimalField(
                                blank=True, decimal_places=3, max_digits=6, null=True
                            ),
                        ),
                        ("points", models.PositiveSmallIntegerField(default=1)),
                        (
                            "optional",
                            models.BooleanField(
                                default=False, help_text="e.g. PREEMPT follow-the-pain sites"
                            ),
                        ),
                        (
                            "group_fixed_units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Protocol dose of this row's muscle group (rule 16: changed fixed groups)",
                                max_digits=7,
                                null=True,
                            ),
                        ),
                        (
                            "group_max_units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Protocol maximum of this row's muscle group, e.g. temporalis 50 U",
                                max_digits=7,
                                null=True,
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.anatomicalsite",
                            ),
                        ),
                        (
                            "template",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rows",
                                to="treatments.sitetemplate",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["template", "order"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("template", "order"), name="sitetemplaterow_order"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("units__gt", 0)), name="sitetemplaterow_units"
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="SessionFinding",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=60)),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("block", "Block: cannot be signed"),
                                    ("override", "Override: needs a recorded reason"),
                                    ("warn", "Warning: acknowledged"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("message", models.TextField()),
                        ("source", models.CharField(max_length=200)),
                        ("override_reason", models.TextField(blank=True)),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="findings",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["session", "level", "code"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("level", "override"), _negated=True),
                                    models.Q(("override_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="finding_override_has_reason",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("level", "block"), _negated=True),
                                name="finding_level_signable",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="InjectionPoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "side",
                            models.CharField(
                                choices=[
                                    ("left", "Left"),
                                    ("right", "Right"),
                                    ("midline", "Midline"),
                                    ("bilateral", "Both sides"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("units", models.DecimalField(decimal_places=2, max_digits=7)),
                        (
                            "volume_ml",
                            models.DecimalField(
                                blank=True, decimal_places=3, max_digits=6, null=True
                            ),
                        ),
                        (
                            "points",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="number of points"
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.anatomicalsite",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="points",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["session", "order", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("units__gt", 0)), name="point_units_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("points__gte", 1)), name="point_points_min"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("volume_ml__isnull", True),
                                    ("volume_ml__gt", 0),
                                    _connector="OR",
                                ),
                                name="point_volume_positive",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="FollowUp",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("bladder-review", "Post-void residual and UTI review"),
                                    ("review-call", "Review call"),
                                    ("diary-due", "Headache diary due"),
                                    ("side-effect-review", "Side-effect review"),
                                    ("outcome-due", "Outcome assessment due"),
                                    ("other", "Other"),
                                ],
                                max_length=25,
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("due_on", models.DateField()),
                        (
                            "rule_code",
                            models.CharField(
                                blank=True, help_text="Set when a rule made it", max_length=60
                            ),
                        ),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("outcome_note", models.CharField(blank=True, max_length=500)),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="follow_ups",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="follow_ups",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["due_on", "id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("done_at__isnull", True)),
                                fields=["due_on"],
                                name="followup_open_due_idx",
                            )
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="VialDraw",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("units", models.DecimalField(decimal_places=2, max_digits=8)),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="draws",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "vial",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="draws",
                                to="treatments.vial",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["session", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("session", "vial"), name="vialdraw_once_per_vial"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("units__gt", 0)), name="vialdraw_units"
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalOutcomeAssessment",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        ("value", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("assessed_on", models.DateField()),
                        (
                            "is_baseline",
                            models.BooleanField(
                                default=False,
                                help_text="The score before the first treatment cycle",
                                verbose_name="baseline",
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "instrument",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.outcomeinstrument",
                            ),
                        ),
                        (
                            "muscle",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="For per-muscle instruments such as the Modified Ashworth Scale",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.anatomicalsite",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="The treatment this score relates to, when there is one",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical outcome assessment",
                        "verbose_name_plural": "historical outcome assessments",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="OutcomeAssessment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("value", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("assessed_on", models.DateField()),
                        (
                            "is_baseline",
                            models.BooleanField(
                                default=False,
                                help_text="The score before the first treatment cycle",
                                verbose_name="baseline",
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "indication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "instrument",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="assessments",
                                to="treatments.outcomeinstrument",
                            ),
                        ),
                        (
                            "muscle",
                            models.ForeignKey(
                                blank=True,
                                help_text="For per-muscle instruments such as the Modified Ashworth Scale",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.anatomicalsite",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="outcome_assessments",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                help_text="The treatment this score relates to, when there is one",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="outcome_assessments",
                                to="treatments.treatmentsession",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["patient", "instrument", "assessed_on", "id"],
                        "indexes": [
                            models.Index(
                                fields=["patient", "instrument", "assessed_on"],
                                name="outcome_patient_instr_idx",
                            )
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="SideEffectTerm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=60, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "spread_alarm",
                            models.BooleanField(
                                default=False,
                                help_text="A sign of distant spread of toxin effect (DOMAIN §3.3)",
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=250)),
                    ],
                    options={
                        "ordering": ["name"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalSideEffectTerm",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "source",
                            models.CharField(
                                help_text="Source keys in DOMAIN.md §9", max_length=200
                            ),
                        ),
                        (
                            "verified_on",
                            models.DateField(
                                help_text="Date the row was last checked against its source"
                            ),
                        ),
                        ("slug", models.SlugField(max_length=60)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "spread_alarm",
                            models.BooleanField(
                                default=False,
                                help_text="A sign of distant spread of toxin effect (DOMAIN §3.3)",
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=250)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical side effect term",
                        "verbose_name_plural": "historical side effect terms",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalSideEffect",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "public_id",
                            models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
                        ),
                        (
                            "term_other",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="other reaction (describe)"
                            ),
                        ),
                        (
                            "description",
                            models.TextField(help_text="What happened, in the reporter's words"),
                        ),
                        ("onset_date", models.DateField()),
                        ("resolution_date", models.DateField(blank=True, null=True)),
                        (
                            "severity",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                choices=[
                                    (1, "1 · Mild"),
                                    (2, "2 · Moderate"),
                                    (3, "3 · Severe"),
                                    (4, "4 · Life-threatening"),
                                    (5, "5 · Death related to the event"),
                                ],
                                null=True,
                            ),
                        ),
                        (
                            "serious_death",
                            models.BooleanField(default=False, verbose_name="Resulted in death"),
                        ),
                        (
                            "serious_life_threatening",
                            models.BooleanField(default=False, verbose_name="Life-threatening"),
                        ),
                        (
                            "serious_hospitalisation",
                            models.BooleanField(
                                default=False,
                                verbose_name="Required or prolonged inpatient hospitalisation",
                            ),
                        ),
                        (
                            "serious_disability",
                            models.BooleanField(
                                default=False,
                                verbose_name="Persistent or significant disability or incapacity",
                            ),
                        ),
                        (
                            "serious_congenital",
                            models.BooleanField(
                                default=False, verbose_name="Congenital anomaly or birth defect"
                            ),
                        ),
                        (
                            "serious_medically_important",
                            models.BooleanField(
                                default=False, verbose_name="Other important medical event"
                            ),
                        ),
                        (
                            "is_serious",
                            models.BooleanField(
                                default=False,
                                editable=False,
                                help_text="Any of the six criteria (kept for queries)",
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("recovered", "Recovered"),
                                    ("recovering", "Recovering"),
                                    ("continuing", "Not recovered / continuing"),
                                    ("sequelae", "Recovered with sequelae"),
                                    ("fatal", "Fatal"),
                                    ("unknown", "Unknown"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "causality",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("certain", "Certain"),
                                    ("probable", "Probable / likely"),
                                    ("possible", "Possible"),
                                    ("unlikely", "Unlikely"),
                                    ("conditional", "Conditional / unclassified"),
                                    ("unassessable", "Unassessable / unclassifiable"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "action_taken",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("none", "No action needed"),
                                    ("advice", "Advice and reassurance"),
                                    ("treatment", "Treatment given (describe)"),
                                    ("review", "Brought in for review"),
                                    ("referred", "Referred (GP, A&E, specialist)"),
                                    ("hospital", "Admitted to hospital"),
                                    ("dose-changed", "Next dose reduced or sites changed"),
                                    ("withheld", "Further treatment withheld"),
                                ],
                                max_length=15,
                            ),
                        ),
                        ("treatment_given", models.CharField(blank=True, max_length=250)),
                        (
                            "reporter",
                            models.CharField(
                                choices=[
                                    ("patient", "Patient"),
                                    ("clinician", "Clinician"),
                                    ("other", "Other (carer, GP, relative)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reporter_name", models.CharField(blank=True, max_length=120)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("unreviewed", "Awaiting practitioner review"),
                                    ("reviewed", "Reviewed"),
                                ],
                                default="unreviewed",
                                max_length=12,
                            ),
                        ),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "regulator_decision",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "No decision yet"),
                                    ("reported", "Reported to MHRA Yellow Card"),
                                    ("not-reported", "Not reported"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("yellow_card_reference", models.CharField(blank=True, max_length=40)),
                        ("not_reported_reason", models.CharField(blank=True, max_length=300)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "logged_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="The suspected treatment (and so its product, batch and sites)",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "term",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.sideeffectterm",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical side effect",
                        "verbose_name_plural": "historical side effects",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="SideEffect",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "term_other",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="other reaction (describe)"
                            ),
                        ),
                        (
                            "description",
                            models.TextField(help_text="What happened, in the reporter's words"),
                        ),
                        ("onset_date", models.DateField()),
                        ("resolution_date", models.DateField(blank=True, null=True)),
                        (
                            "severity",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                choices=[
                                    (1, "1 · Mild"),
                                    (2, "2 · Moderate"),
                                    (3, "3 · Severe"),
                                    (4, "4 · Life-threatening"),
                                    (5, "5 · Death related to the event"),
                                ],
                                null=True,
                            ),
                        ),
                        (
                            "serious_death",
                            models.BooleanField(default=False, verbose_name="Resulted in death"),
                        ),
                        (
                            "serious_life_threatening",
                            models.BooleanField(default=False, verbose_name="Life-threatening"),
                        ),
                        (
                            "serious_hospitalisation",
                            models.BooleanField(
                                default=False,
                                verbose_name="Required or prolonged inpatient hospitalisation",
                            ),
                        ),
                        (
                            "serious_disability",
                            models.BooleanField(
                                default=False,
                                verbose_name="Persistent or significant disability or incapacity",
                            ),
                        ),
                        (
                            "serious_congenital",
                            models.BooleanField(
                                default=False, verbose_name="Congenital anomaly or birth defect"
                            ),
                        ),
                        (
                            "serious_medically_important",
                            models.BooleanField(
                                default=False, verbose_name="Other important medical event"
                            ),
                        ),
                        (
                            "is_serious",
                            models.BooleanField(
                                default=False,
                                editable=False,
                                help_text="Any of the six criteria (kept for queries)",
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("recovered", "Recovered"),
                                    ("recovering", "Recovering"),
                                    ("continuing", "Not recovered / continuing"),
                                    ("sequelae", "Recovered with sequelae"),
                                    ("fatal", "Fatal"),
                                    ("unknown", "Unknown"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "causality",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("certain", "Certain"),
                                    ("probable", "Probable / likely"),
                                    ("possible", "Possible"),
                                    ("unlikely", "Unlikely"),
                                    ("conditional", "Conditional / unclassified"),
                                    ("unassessable", "Unassessable / unclassifiable"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "action_taken",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("none", "No action needed"),
                                    ("advice", "Advice and reassurance"),
                                    ("treatment", "Treatment given (describe)"),
                                    ("review", "Brought in for review"),
                                    ("referred", "Referred (GP, A&E, specialist)"),
                                    ("hospital", "Admitted to hospital"),
                                    ("dose-changed", "Next dose reduced or sites changed"),
                                    ("withheld", "Further treatment withheld"),
                                ],
                                max_length=15,
                            ),
                        ),
                        ("treatment_given", models.CharField(blank=True, max_length=250)),
                        (
                            "reporter",
                            models.CharField(
                                choices=[
                                    ("patient", "Patient"),
                                    ("clinician", "Clinician"),
                                    ("other", "Other (carer, GP, relative)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reporter_name", models.CharField(blank=True, max_length=120)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("unreviewed", "Awaiting practitioner review"),
                                    ("reviewed", "Reviewed"),
                                ],
                                default="unreviewed",
                                max_length=12,
                            ),
                        ),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "regulator_decision",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "No decision yet"),
                                    ("reported", "Reported to MHRA Yellow Card"),
                                    ("not-reported", "Not reported"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("yellow_card_reference", models.CharField(blank=True, max_length=40)),
                        ("not_reported_reason", models.CharField(blank=True, max_length=300)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "logged_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="side_effects",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                help_text="The suspected treatment (and so its product, batch and sites)",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="side_effects",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "term",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.sideeffectterm",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-onset_date", "-id"],
                        "permissions": [
                            ("review_sideeffect", "Can complete and review side-effect reports"),
                            (
                                "view_serious_sideeffects",
                                "Can see the serious side-effect governance list",
                            ),
                        ],
                        "indexes": [
                            models.Index(
                                fields=["patient", "-onset_date"], name="sideeffect_patient_idx"
                            ),
                            models.Index(fields=["onset_date"], name="sideeffect_onset_idx"),
                            models.Index(
                                condition=models.Q(("status", "unreviewed")),
                                fields=["status"],
                                name="sideeffect_unreviewed_idx",
                            ),
                            models.Index(
                                condition=models.Q(("regulator_decision", "")),
                                fields=["onset_date"],
                                name="sideeffect_undecided_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("severity__isnull", True),
                                    models.Q(("severity__gte", 1), ("severity__lte", 5)),
                                    _connector="OR",
                                ),
                                name="sideeffect_severity_1_5",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("resolution_date__isnull", True),
                                    ("resolution_date__gte", models.F("onset_date")),
                                    _connector="OR",
                                ),
                                name="sideeffect_resolves_after_onset",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("regulator_decision", "reported"), _negated=True),
                                    models.Q(("yellow_card_reference", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="sideeffect_reported_has_reference",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("regulator_decision", "not-reported"), _negated=True),
                                    models.Q(("not_reported_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="sideeffect_not_reported_has_reason",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("outcome__in", ("recovered", "sequelae", "fatal")),
                                        _negated=True,
                                    ),
                                    ("resolution_date__isnull", False),
                                    _connector="OR",
                                ),
                                name="sideeffect_ended_has_resolution_date",
                                violation_error_message="An outcome that says the reaction has ended needs the date it resolved.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("resolution_date__isnull", True),
                                    ("outcome__in", ("recovered", "sequelae", "fatal")),
                                    _connector="OR",
                                ),
                                name="sideeffect_resolution_date_means_ended",
                                violation_error_message="A resolution date needs an outcome that says the reaction has ended.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalPrescriberAssessment",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "assessed_on",
                            models.DateField(
                                default=django.utils.timezone.localdate,
                                verbose_name="assessed face to face on",
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=500)),
                        (
                            "recorded_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "prescriber",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical prescriber assessment",
                        "verbose_name_plural": "historical prescriber assessments",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PrescriberAssessment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "assessed_on",
                            models.DateField(
                                default=django.utils.timezone.localdate,
                                verbose_name="assessed face to face on",
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=500)),
                        (
                            "recorded_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="prescriber_assessments",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "prescriber",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-assessed_on", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["patient", "-assessed_on"], name="assessment_patient_idx"
                            )
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="SessionVial",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=1)),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vial_links",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "vial",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="further_sessions",
                                to="treatments.vial",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["session", "position", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("session", "vial"), name="sessionvial_once_per_vial"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("position__gte", 1)),
                                name="sessionvial_after_first",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="StockReceipt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "supplier",
                            models.CharField(
                                help_text="e.g. the wholesaler's name", max_length=100
                            ),
                        ),
                        (
                            "delivery_note",
                            models.CharField(max_length=60, verbose_name="delivery note number"),
                        ),
                        ("received_on", models.DateField(default=django.utils.timezone.localdate)),
                        (
                            "received_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-received_on", "-id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="DailySessionRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("sessions", models.PositiveIntegerField()),
                        ("units", models.DecimalField(decimal_places=2, max_digits=14)),
                        ("volume_ml", models.DecimalField(decimal_places=3, max_digits=14)),
                        ("sites", models.PositiveIntegerField()),
                        ("needle_points", models.PositiveIntegerField()),
                        ("vials", models.PositiveIntegerField()),
                        ("signed_late", models.PositiveIntegerField()),
                        ("without_consent", models.PositiveIntegerField()),
                        ("without_lot", models.PositiveIntegerField()),
                        ("off_label", models.PositiveIntegerField()),
                        ("side_effects", models.PositiveIntegerField()),
                        ("serious_side_effects", models.PositiveIntegerField()),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["day", "practitioner", "indication", "product"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("day", "practitioner", "indication", "product"),
                                name="dailyrollup_one_row_per_key",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="SessionTotals",
                    fields=[
                        (
                            "session",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="totals",
                                serialize=False,
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "day",
                            models.DateField(help_text="The UK day the session was performed on"),
                        ),
                        ("units", models.DecimalField(decimal_places=2, max_digits=10)),
                        ("volume_ml", models.DecimalField(decimal_places=3, max_digits=10)),
                        ("sites", models.PositiveIntegerField(help_text="Injection point rows")),
                        ("needle_points", models.PositiveIntegerField()),
                        ("vials", models.PositiveSmallIntegerField(help_text="Vials drawn from")),
                        ("signed_late", models.BooleanField()),
                        ("consent_taken", models.BooleanField()),
                        ("has_lot", models.BooleanField()),
                        ("is_off_label", models.BooleanField()),
                        (
                            "side_effects",
                            models.PositiveIntegerField(
                                help_text="Side effects reported against it"
                            ),
                        ),
                        ("serious_side_effects", models.PositiveIntegerField()),
                        (
                            "first_day",
                            models.DateField(help_text="The patient's first signed session's day"),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        ("practitioner_prev_day", models.DateField(blank=True, null=True)),
                        ("prev_day", models.DateField(blank=True, null=True)),
                    ],
                    options={
                        "ordering": ["day", "session"],
                        "indexes": [
                            models.Index(
                                fields=[
                                    "day",
                                    "patient",
                                    "practitioner",
                                    "indication",
                                    "product",
                                    "first_day",
                                ],
                                name="sessiontotals_day_idx",
                            ),
                            models.Index(
                                fields=["patient", "day"], name="sessiontotals_patient_idx"
                            ),
                            models.Index(
                                fields=["practitioner", "day", "patient", "first_day"],
                                name="sessiontotals_practitioner_idx",
                            ),
                            models.Index(fields=["prev_day", "day"], name="sessiontotals_prev_idx"),
                            models.Index(
                                fields=["practitioner_prev_day", "day", "practitioner"],
                                name="sessiontotals_pract_prev_idx",
                            ),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="PatientReturnRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        (
                            "scope",
                            models.PositiveIntegerField(
                                help_text="0: the whole clinic; else a practitioner's id"
                            ),
                        ),
                        ("prev_month", models.DateField()),
                        ("sessions", models.PositiveIntegerField()),
                    ],
                    options={
                        "ordering": ["scope", "day", "prev_month"],
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope", "day", "prev_month"),
                                name="returnrollup_one_row_per_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DailyWasteRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("lot", models.CharField(max_length=40)),
                        ("vials", models.PositiveIntegerField()),
                        (
                            "presentation",
                            models.PositiveIntegerField(help_text="Units the vials held"),
                        ),
                        ("wasted", models.DecimalField(decimal_places=2, max_digits=14)),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["day", "product", "lot"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("day", "product", "lot"), name="wasterollup_one_row_per_key"
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="LatestCourse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("performed_at", models.DateTimeField()),
                        ("day", models.DateField(help_text="The UK day of the session")),
                        ("patient_active", models.BooleanField()),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        ("was_active", models.BooleanField(blank=True, null=True)),
                        ("was_day", models.DateField(blank=True, null=True)),
                        (
                            "was_practitioner",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "was_product",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["patient", "indication"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("patient_active", True)),
                                fields=["day", "indication", "product", "practitioner"],
                                name="latestcourse_active_day_idx",
                            ),
                            models.Index(
                                condition=models.Q(("patient_active", True)),
                                fields=["performed_at"],
                                name="latestcourse_active_time_idx",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("patient", "indication"), name="latestcourse_one_per_course"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="OutcomeRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("day", models.DateField()),
                        ("next_month", models.DateField()),
                        ("series", models.PositiveIntegerField()),
                        ("baseline_sum", models.DecimalField(decimal_places=2, max_digits=16)),
                        ("value_sum", models.DecimalField(decimal_places=2, max_digits=16)),
                        ("improvement_sum", models.DecimalField(decimal_places=6, max_digits=20)),
                        ("good", models.PositiveIntegerField()),
                        ("partial", models.PositiveIntegerField()),
                        ("good_percent", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("partial_percent", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("mixed", models.BooleanField(default=False)),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "instrument",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.outcomeinstrument",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["day", "indication", "instrument", "next_month"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("day", "indication", "instrument", "next_month"),
                                name="outcomerollup_one_row_per_key",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="OutcomeScoreTotals",
                    fields=[
                        (
                            "assessment",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="totals",
                                serialize=False,
                                to="treatments.outcomeassessment",
                            ),
                        ),
                        ("day", models.DateField(help_text="assessed_on")),
                        ("next_day", models.DateField(blank=True, null=True)),
                        ("value", models.DecimalField(decimal_places=2, max_digits=8)),
                        (
                            "baseline",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=8, null=True
                            ),
                        ),
                        (
                            "improvement",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                help_text="(baseline - value) x 100 / baseline; NULL without a non-zero baseline",
                                max_digits=14,
                                null=True,
                            ),
                        ),
                        ("band", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "instrument",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.outcomeinstrument",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["patient", "instrument", "day", "assessment"],
                        "indexes": [
                            models.Index(
                                fields=["patient", "indication", "instrument"],
                                name="outcometotals_series_idx",
                            ),
                            models.Index(fields=["next_day", "day"], name="outcometotals_next_idx"),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="DailyCourseRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "day",
                            models.DateField(help_text="The UK day of the course's latest session"),
                        ),
                        ("courses", models.IntegerField()),
                        (
                            "indication",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["day", "indication", "product", "practitioner"],
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("day", "indication", "product", "practitioner"),
                                name="courserollup_one_row_per_key",
                            )
                        ],
                    },
                ),
            ]
        ),
        clinic.migration_ops.DataSteps(STEPS),
    ]
