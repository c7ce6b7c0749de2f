"""reports 0001_report_export to 0004_patient_registered_index as one migration, for a new
database: the models created as they stand after them
(clinic.migration_ops.CreateModels: the migration state rendered once), then the data
steps of those migrations in their order (clinic.migration_ops.DataSteps). A database
that has them applied already carries on from them (`replaces`); they stay until every
database has been migrated past them.

Left out of the data steps, as they only rewrite or summarise rows staff entered (a new
database has none) or add what the created models already have:
- none
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import clinic.migration_ops

# (module, function) of each data step, forwards and backwards, in the migrations' order
# (clinic.migration_ops.DataSteps).
STEPS = [
    (
        ("clinic.reports.migrations.0002_report_indexes", "create"),
        ("clinic.reports.migrations.0002_report_indexes", "drop"),
    ),
    (
        ("clinic.reports.migrations.0004_patient_registered_index", "create"),
        ("clinic.reports.migrations.0004_patient_registered_index", "drop"),
    ),
]


class Migration(migrations.Migration):
    replaces = [
        ("reports", "0001_report_export"),
        ("reports", "0002_report_indexes"),
        ("reports", "0003_prepared_exports"),
        ("reports", "0004_patient_registered_index"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("patients", "0013_remove_merged_bladder_answer"),
        ("treatments", "0011_seed_side_effect_terms"),
    ]

    operations = [
        clinic.migration_ops.CreateModels(
            [
                migrations.CreateModel(
                    name="ReportExport",
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
                        ("report", models.SlugField(max_length=60)),
                        ("filters", models.JSONField(blank=True, default=dict)),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("row_count", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("failed_at", models.DateTimeField(blank=True, null=True)),
                        ("file_name", models.CharField(blank=True, default="", max_length=200)),
                        ("prepared", models.BooleanField(default=False)),
                    ],
                    options={
                        "ordering": ["-started_at", "-id"],
                        "permissions": [
                            ("view_dashboard", "Can view the clinic dashboard"),
                            (
                                "view_reports",
                                "Can view reports (practitioners: their own figures only)",
                            ),
                            (
                                "view_clinic_reports",
                                "Can view clinic-wide stock reports (wastage by lot, lot exposure)",
                            ),
                            ("export_reports", "Can download reports as CSV"),
                            (
                                "view_change_history",
                                "Can see the change history of sessions and vials",
                            ),
                        ],
                        "indexes": [
                            models.Index(
                                fields=["user", "started_at"], name="reportexport_user_idx"
                            ),
                            models.Index(
                                condition=models.Q(("prepared", True)),
                                fields=["user", "-started_at"],
                                name="reportexport_prepared_idx",
                            ),
                        ],
                        "constraints": [],
                    },
                ),
            ]
        ),
        clinic.migration_ops.DataSteps(STEPS),
    ]
