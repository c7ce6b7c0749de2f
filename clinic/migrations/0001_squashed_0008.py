"""clinic 0001_counter to 0008_access_chain_canonical_inline as one migration, for a new
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
        ("clinic.migrations.0002_sync_roles", "forwards"),
        ("clinic.migrations.0002_sync_roles", "backwards"),
    ),
    (
        ("clinic.migrations.0004_access_event_append_only", "forward"),
        ("clinic.migrations.0004_access_event_append_only", "reverse"),
    ),
    (
        ("clinic.migrations.0005_access_event_hash_chain", "forward"),
        ("clinic.migrations.0005_access_event_hash_chain", "reverse"),
    ),
    (
        ("clinic.migrations.0008_access_chain_canonical_inline", "forward"),
        ("clinic.migrations.0008_access_chain_canonical_inline", "reverse"),
    ),
]


class Migration(migrations.Migration):
    replaces = [
        ("clinic", "0001_counter"),
        ("clinic", "0002_sync_roles"),
        ("clinic", "0003_access_event"),
        ("clinic", "0004_access_event_append_only"),
        ("clinic", "0005_access_event_hash_chain"),
        ("clinic", "0006_submission_token"),
        ("clinic", "0007_staff_session"),
        ("clinic", "0008_access_chain_canonical_inline"),
    ]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0004_search_prefix_indexes"),
        ("treatments", "0001_reference_models"),
    ]

    operations = [
        clinic.migration_ops.CreateModels(
            [
                migrations.CreateModel(
                    name="Counter",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=50, primary_key=True, serialize=False),
                        ),
                        ("value", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "ordering": ["name"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="AccessEvent",
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
                            "occurred_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("username", models.CharField(editable=False, max_length=150)),
                        ("role", models.CharField(blank=True, editable=False, max_length=100)),
                        ("action", models.CharField(editable=False, max_length=60)),
                        (
                            "object_ref",
                            models.CharField(blank=True, editable=False, max_length=200),
                        ),
                        ("method", models.CharField(editable=False, max_length=8)),
                        ("path", models.CharField(editable=False, max_length=500)),
                        (
                            "ip_address",
                            models.GenericIPAddressField(blank=True, editable=False, null=True),
                        ),
                        ("status_code", models.PositiveSmallIntegerField(editable=False)),
                        (
                            "patient",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        ("chain_seq", models.BigIntegerField(editable=False)),
                        ("prev_hash", models.CharField(default="", editable=False, max_length=64)),
                        ("row_hash", models.CharField(default="", editable=False, max_length=64)),
                    ],
                    options={
                        "ordering": ["-occurred_at", "-id"],
                        "permissions": [
                            (
                                "requires_two_factor",
                                "Must sign in with a second factor (when OTP_REQUIRED)",
                            )
                        ],
                        "indexes": [
                            models.Index(
                                fields=["patient", "occurred_at"], name="access_patient_time_idx"
                            ),
                            models.Index(
                                fields=["user", "occurred_at"], name="access_user_time_idx"
                            ),
                            models.Index(fields=["occurred_at"], name="access_time_idx"),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="SubmissionToken",
                    fields=[
                        (
                            "token",
                            models.UUIDField(editable=False, primary_key=True, serialize=False),
                        ),
                        (
                            "result_url",
                            models.CharField(blank=True, editable=False, max_length=300),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="StaffSession",
                    fields=[
                        (
                            "session_key",
                            models.CharField(
                                max_length=40,
                                primary_key=True,
                                serialize=False,
                                verbose_name="session key",
                            ),
                        ),
                        ("session_data", models.TextField(verbose_name="session data")),
                        (
                            "expire_date",
                            models.DateTimeField(db_index=True, verbose_name="expire date"),
                        ),
                        ("access", models.JSONField(blank=True, null=True)),
                        ("access_stamp", models.PositiveIntegerField(default=0)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "session",
                        "verbose_name_plural": "sessions",
                        "db_table": "clinic_staff_session",
                        "abstract": False,
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ]
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="chain_seq",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
        clinic.migration_ops.DataSteps(STEPS),
    ]
