"""diary 0001_diary to 0008_settings_updated_at as one migration, for a new database: the
models created as they stand after them (clinic.migration_ops.CreateModels: the
migration state rendered once), then the data steps of those migrations in their order
(clinic.migration_ops.DataSteps). A database that has them applied already carries on
from them (`replaces`); they stay until every database has been migrated past them.

Left out of the data steps, as they only rewrite or summarise rows staff entered (a new
database has none) or add what the created models already have:
- none
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import clinic.migration_ops

# (module, function) of each data step, forwards and backwards, in the migrations' order
# (clinic.migration_ops.DataSteps).
STEPS = [
    (
        ("clinic.diary.migrations.0002_no_overlap_postgres", "forward"),
        ("clinic.diary.migrations.0002_no_overlap_postgres", "reverse"),
    ),
    (
        ("clinic.diary.migrations.0003_seed_appointment_types", "forward"),
        ("clinic.diary.migrations.0003_seed_appointment_types", "reverse"),
    ),
    (
        ("clinic.diary.migrations.0007_seed_consent_validity", "seed"),
        ("clinic.diary.migrations.0007_seed_consent_validity", "unseed"),
    ),
]


class Migration(migrations.Migration):
    replaces = [
        ("diary", "0001_diary"),
        ("diary", "0002_no_overlap_postgres"),
        ("diary", "0003_seed_appointment_types"),
        ("diary", "0004_recall_list_permission"),
        ("diary", "0005_calendar_feed"),
        ("diary", "0006_messages_waiting_list"),
        ("diary", "0007_seed_consent_validity"),
        ("diary", "0008_settings_updated_at"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("patients", "0010_name_key_search_indexes"),
        ("treatments", "0012_signed_session_immutable"),
    ]

    operations = [
        clinic.migration_ops.CreateModels(
            [
                migrations.CreateModel(
                    name="Room",
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
                        ("name", models.CharField(max_length=60, unique=True)),
                        ("is_active", models.BooleanField(default=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "ordering": ["name"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="AppointmentType",
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
                        ("name", models.CharField(max_length=80, unique=True)),
                        ("slug", models.SlugField(unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("consultation", "Consultation (prescriber, face to face)"),
                                    ("first-treatment", "First treatment"),
                                    ("treatment", "Follow-up treatment"),
                                    ("bladder-treatment", "Bladder treatment (with PVR)"),
                                    ("review", "Review"),
                                    ("phone-review", "Phone review"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("default_minutes", models.PositiveSmallIntegerField()),
                        ("is_active", models.BooleanField(default=True)),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "ordering": ["name"],
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("default_minutes__gte", 5), ("default_minutes__lte", 240)
                                ),
                                name="appointment_type_length_sane",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalAppointmentType",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(db_index=True, max_length=80)),
                        ("slug", models.SlugField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("consultation", "Consultation (prescriber, face to face)"),
                                    ("first-treatment", "First treatment"),
                                    ("treatment", "Follow-up treatment"),
                                    ("bladder-treatment", "Bladder treatment (with PVR)"),
                                    ("review", "Review"),
                                    ("phone-review", "Phone review"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("default_minutes", models.PositiveSmallIntegerField()),
                        ("is_active", models.BooleanField(default=True)),
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
                    ],
                    options={
                        "verbose_name": "historical appointment type",
                        "verbose_name_plural": "historical appointment types",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalAppointment",
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
                        (
                            "public_id",
                            models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("confirmed", "Confirmed"),
                                    ("arrived", "Arrived"),
                                    ("in-treatment", "In treatment"),
                                    ("completed", "Completed"),
                                    ("dna", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="booked",
                                max_length=15,
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=300)),
                        (
                            "booking_flags",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="What the booking checks said when it was booked",
                            ),
                        ),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("arrived_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "cancelled_by",
                            models.CharField(
                                blank=True,
                                choices=[("patient", "The patient"), ("clinic", "The clinic")],
                                max_length=10,
                            ),
                        ),
                        ("cancel_reason", models.CharField(blank=True, max_length=200)),
                        ("is_late_cancellation", models.BooleanField(default=False)),
                        ("version", models.PositiveIntegerField(default=1)),
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
                            "appointment_type",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="diary.appointmenttype",
                            ),
                        ),
                        (
                            "booked_by",
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
                        (
                            "room",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="diary.room",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical appointment",
                        "verbose_name_plural": "historical appointments",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Appointment",
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
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("confirmed", "Confirmed"),
                                    ("arrived", "Arrived"),
                                    ("in-treatment", "In treatment"),
                                    ("completed", "Completed"),
                                    ("dna", "Did not attend"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="booked",
                                max_length=15,
                            ),
                        ),
                        ("notes", models.CharField(blank=True, max_length=300)),
                        (
                            "booking_flags",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="What the booking checks said when it was booked",
                            ),
                        ),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("arrived_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "cancelled_by",
                            models.CharField(
                                blank=True,
                                choices=[("patient", "The patient"), ("clinic", "The clinic")],
                                max_length=10,
                            ),
                        ),
                        ("cancel_reason", models.CharField(blank=True, max_length=200)),
                        ("is_late_cancellation", models.BooleanField(default=False)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "booked_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.product",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "appointment_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="diary.appointmenttype",
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="diary.room",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["starts_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["starts_at", "practitioner"], name="appointment_day_idx"
                            ),
                            models.Index(
                                fields=["patient", "starts_at"], name="appointment_patient_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                                name="appointment_ends_after_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        [
                                            "booked",
                                            "confirmed",
                                            "arrived",
                                            "in-treatment",
                                            "completed",
                                            "dna",
                                            "cancelled",
                                        ],
                                    )
                                ),
                                name="appointment_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "cancelled"), _negated=True),
                                    models.Q(
                                        ("cancelled_at__isnull", False),
                                        models.Q(("cancelled_by", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="appointment_cancel_recorded",
                            ),
                        ],
                        "permissions": [
                            (
                                "view_recall_list",
                                "Can see patients due for re-treatment, to book them",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WorkingException",
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
                        ("on", models.DateField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("leave", "Leave (not working)"),
                                    ("extra", "Extra clinic"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "starts",
                            models.TimeField(
                                blank=True, help_text="Empty for the whole day", null=True
                            ),
                        ),
                        ("ends", models.TimeField(blank=True, null=True)),
                        ("note", models.CharField(blank=True, max_length=120)),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="working_exceptions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="diary.room",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "ordering": ["on", "starts"],
                        "indexes": [
                            models.Index(fields=["on", "practitioner"], name="exception_day_idx")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("starts__isnull", True), ("ends__isnull", True)),
                                    models.Q(
                                        ("starts__isnull", False), ("ends__gt", models.F("starts"))
                                    ),
                                    _connector="OR",
                                ),
                                name="exception_hours_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("kind", "extra"), _negated=True),
                                    ("starts__isnull", False),
                                    _connector="OR",
                                ),
                                name="extra_clinic_has_hours",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WorkingPattern",
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
                            "weekday",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "Monday"),
                                    (1, "Tuesday"),
                                    (2, "Wednesday"),
                                    (3, "Thursday"),
                                    (4, "Friday"),
                                    (5, "Saturday"),
                                    (6, "Sunday"),
                                ]
                            ),
                        ),
                        ("starts", models.TimeField()),
                        ("ends", models.TimeField()),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="working_pattern",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="diary.room",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "ordering": ["practitioner_id", "weekday", "starts"],
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends__gt", models.F("starts"))),
                                name="pattern_ends_after",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CalendarFeed",
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
                        ("token", models.CharField(editable=False, max_length=64, unique=True)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "practitioner",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="calendar_feed",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["practitioner_id"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="WaitingListEntry",
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
                        ("from_date", models.DateField()),
                        ("notes", models.CharField(blank=True, max_length=300)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("waiting", "Waiting"),
                                    ("offered", "Offered a slot"),
                                    ("booked", "Booked"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="waiting",
                                max_length=10,
                            ),
                        ),
                        ("offered_at", models.DateTimeField(blank=True, null=True)),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "appointment_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="diary.appointmenttype",
                            ),
                        ),
                        (
                            "booked_appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="diary.appointment",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "offered_appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="diary.appointment",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="waiting_list_entries",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty: anyone",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "waiting list entries",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["status", "appointment_type"], name="waiting_match_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["waiting", "offered", "booked", "withdrawn"])
                                ),
                                name="waiting_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "offered"), _negated=True),
                                    ("offered_appointment__isnull", False),
                                    _connector="OR",
                                ),
                                name="waiting_offer_names_slot",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PatientMessage",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("reminder", "Appointment reminder"),
                                    ("recall", "Recall"),
                                    ("aftercare", "Aftercare advice"),
                                    ("waiting-offer", "Waiting-list offer"),
                                ],
                                max_length=15,
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("email", "Email"), ("sms", "SMS")], max_length=5
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                    ("skipped", "Skipped"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("skip_reason", models.CharField(blank=True, max_length=200)),
                        (
                            "failure",
                            models.CharField(
                                blank=True,
                                help_text="The error's class only: never its message",
                                max_length=200,
                            ),
                        ),
                        (
                            "appointment_starts_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="The start reminded of: a moved appointment is skipped",
                                null=True,
                            ),
                        ),
                        (
                            "to",
                            models.CharField(blank=True, max_length=254, verbose_name="sent to"),
                        ),
                        ("subject", models.CharField(blank=True, max_length=200)),
                        ("text", models.TextField(blank=True, help_text="As sent")),
                        ("provider_reference", models.CharField(blank=True, max_length=100)),
                        (
                            "send_after",
                            models.DateTimeField(help_text="Not before this time (reminders)"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="messages",
                                to="diary.appointment",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for messages the diary scheduled itself",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "indication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.indication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="messages",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="treatments.treatmentsession",
                            ),
                        ),
                        (
                            "waiting_entry",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="messages",
                                to="diary.waitinglistentry",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "permissions": [
                            ("view_outbox", "Can see the messages sent to patients"),
                            (
                                "send_recall",
                                "Can send recall messages to patients due for re-treatment",
                            ),
                            ("send_aftercare", "Can send aftercare advice after a signed session"),
                        ],
                        "indexes": [
                            models.Index(fields=["-created_at", "-id"], name="message_newest_idx"),
                            models.Index(
                                fields=["patient", "-created_at"], name="message_patient_idx"
                            ),
                            models.Index(
                                fields=["kind", "status", "sent_at"], name="message_kind_status_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "kind__in",
                                        ["reminder", "recall", "aftercare", "waiting-offer"],
                                    )
                                ),
                                name="message_kind_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("channel__in", ["email", "sms"])),
                                name="message_channel_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["queued", "sent", "failed", "skipped"])
                                ),
                                name="message_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "skipped"), _negated=True),
                                    models.Q(("skip_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="message_skip_has_reason",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "sent"), _negated=True),
                                    ("sent_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="message_sent_has_time",
                            ),
                        ],
                    },
                ),
            ]
        ),
        clinic.migration_ops.DataSteps(STEPS),
    ]
