"""patients 0001_patient_intake to 0019_questionnaire_review_queue_index as one migration,
for a new database: the models created as they stand after them
(clinic.migration_ops.CreateModels: the migration state rendered once), then the data
steps of those migrations in their order (clinic.migration_ops.DataSteps). A database
that has them applied already carries on from them (`replaces`); they stay until every
database has been migrated past them.

Left out of the data steps, as they only rewrite or summarise rows staff entered (a new
database has none) or add what the created models already have:
- 0009_fill_patient_name_keys: fill()
- 0012_split_bladder_answer: split()
- 0014_marketing_consent_per_channel: backfill()
- 0017_daily_registrations: fill()
"""

import uuid

import django.contrib.postgres.operations
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
        ("patients.migrations.0002_search_trigram_index", "create_index"),
        ("patients.migrations.0002_search_trigram_index", "drop_index"),
    ),
    (
        ("patients.migrations.0004_search_prefix_indexes", "create_indexes"),
        ("patients.migrations.0004_search_prefix_indexes", "drop_indexes"),
    ),
    (
        ("patients.migrations.0010_name_key_search_indexes", "create_indexes"),
        ("patients.migrations.0010_name_key_search_indexes", "drop_indexes"),
    ),
    (
        ("patients.migrations.0015_search_short_prefix_order", "forwards"),
        ("patients.migrations.0015_search_short_prefix_order", "backwards"),
    ),
    (
        ("patients.migrations.0016_search_distinct_names", "forwards"),
        ("patients.migrations.0016_search_distinct_names", "backwards"),
    ),
]


class Migration(migrations.Migration):
    replaces = [
        ("patients", "0001_patient_intake"),
        ("patients", "0002_search_trigram_index"),
        ("patients", "0003_registered_by_optional"),
        ("patients", "0004_search_prefix_indexes"),
        ("patients", "0005_subject_access_request"),
        ("patients", "0006_questionnaire_migraine_preventives"),
        ("patients", "0007_subject_access_copy"),
        ("patients", "0008_patient_name_keys"),
        ("patients", "0009_fill_patient_name_keys"),
        ("patients", "0010_name_key_search_indexes"),
        ("patients", "0011_questionnaire_uti_and_retention_fields"),
        ("patients", "0012_split_bladder_answer"),
        ("patients", "0013_remove_merged_bladder_answer"),
        ("patients", "0014_marketing_consent_per_channel"),
        ("patients", "0015_search_short_prefix_order"),
        ("patients", "0016_search_distinct_names"),
        ("patients", "0017_daily_registrations"),
        ("patients", "0018_subject_access_request_version"),
        ("patients", "0019_questionnaire_review_queue_index"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("treatments", "0001_reference_models"),
    ]

    operations = [
        django.contrib.postgres.operations.TrigramExtension(),
        clinic.migration_ops.CreateModels(
            [
                migrations.CreateModel(
                    name="HistoricalPatient",
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
                        (
                            "record_number",
                            models.CharField(db_index=True, editable=False, max_length=12),
                        ),
                        (
                            "title",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("Mr", "Mr"),
                                    ("Mrs", "Mrs"),
                                    ("Ms", "Ms"),
                                    ("Miss", "Miss"),
                                    ("Mx", "Mx"),
                                    ("Dr", "Dr"),
                                    ("Prof", "Prof"),
                                    ("", "(none)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "given_names",
                            models.CharField(max_length=100, verbose_name="given name(s)"),
                        ),
                        ("family_name", models.CharField(max_length=100)),
                        ("preferred_name", models.CharField(blank=True, max_length=100)),
                        ("date_of_birth", models.DateField()),
                        (
                            "sex",
                            models.CharField(
                                choices=[
                                    ("female", "Female"),
                                    ("male", "Male"),
                                    ("indeterminate", "Indeterminate"),
                                    ("not-known", "Not known"),
                                ],
                                max_length=15,
                            ),
                        ),
                        (
                            "nhs_number",
                            models.CharField(blank=True, max_length=10, verbose_name="NHS number"),
                        ),
                        (
                            "phone",
                            models.CharField(max_length=20, verbose_name="mobile or main phone"),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        (
                            "address_line_1",
                            models.CharField(max_length=150, verbose_name="address line 1"),
                        ),
                        (
                            "address_line_2",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="address line 2"
                            ),
                        ),
                        ("town", models.CharField(max_length=100, verbose_name="town or city")),
                        ("postcode", models.CharField(max_length=8)),
                        (
                            "gp_practice",
                            models.CharField(max_length=150, verbose_name="GP practice"),
                        ),
                        (
                            "gp_name",
                            models.CharField(blank=True, max_length=100, verbose_name="GP name"),
                        ),
                        ("emergency_contact_name", models.CharField(max_length=150)),
                        (
                            "emergency_contact_relationship",
                            models.CharField(blank=True, max_length=60),
                        ),
                        ("emergency_contact_phone", models.CharField(max_length=20)),
                        (
                            "referral_source",
                            models.CharField(
                                choices=[
                                    ("self", "Self-referral"),
                                    ("gp", "GP"),
                                    ("consultant", "Consultant / specialist"),
                                    ("other-clinic", "Another clinic"),
                                    ("website", "Website / online search"),
                                    ("recommendation", "Friend or family recommendation"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "referral_detail",
                            models.CharField(
                                blank=True,
                                help_text="Referrer's name or how they heard of us",
                                max_length=200,
                            ),
                        ),
                        (
                            "consent_contact_email",
                            models.BooleanField(
                                default=False, verbose_name="consents to service messages by email"
                            ),
                        ),
                        (
                            "consent_contact_email_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "consent_contact_sms",
                            models.BooleanField(
                                default=False, verbose_name="consents to service messages by SMS"
                            ),
                        ),
                        (
                            "consent_contact_sms_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "Active"), ("archived", "Archived")],
                                default="active",
                                max_length=10,
                            ),
                        ),
                        (
                            "archived_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        ("archived_reason", models.CharField(blank=True, max_length=200)),
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
                            "registered_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                help_text="Empty for imported records",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "consent_marketing_email",
                            models.BooleanField(
                                db_default=False,
                                default=False,
                                verbose_name="consents to recalls and news by email",
                            ),
                        ),
                        (
                            "consent_marketing_email_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "consent_marketing_sms",
                            models.BooleanField(
                                db_default=False,
                                default=False,
                                verbose_name="consents to recalls and news by SMS",
                            ),
                        ),
                        (
                            "consent_marketing_sms_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                    ],
                    options={
                        "verbose_name": "historical patient",
                        "verbose_name_plural": "historical patients",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Patient",
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
                            "record_number",
                            models.CharField(editable=False, max_length=12, unique=True),
                        ),
                        (
                            "title",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("Mr", "Mr"),
                                    ("Mrs", "Mrs"),
                                    ("Ms", "Ms"),
                                    ("Miss", "Miss"),
                                    ("Mx", "Mx"),
                                    ("Dr", "Dr"),
                                    ("Prof", "Prof"),
                                    ("", "(none)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "given_names",
                            models.CharField(max_length=100, verbose_name="given name(s)"),
                        ),
                        ("family_name", models.CharField(max_length=100)),
                        ("preferred_name", models.CharField(blank=True, max_length=100)),
                        ("date_of_birth", models.DateField()),
                        (
                            "sex",
                            models.CharField(
                                choices=[
                                    ("female", "Female"),
                                    ("male", "Male"),
                                    ("indeterminate", "Indeterminate"),
                                    ("not-known", "Not known"),
                                ],
                                max_length=15,
                            ),
                        ),
                        (
                            "nhs_number",
                            models.CharField(blank=True, max_length=10, verbose_name="NHS number"),
                        ),
                        (
                            "phone",
                            models.CharField(max_length=20, verbose_name="mobile or main phone"),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        (
                            "address_line_1",
                            models.CharField(max_length=150, verbose_name="address line 1"),
                        ),
                        (
                            "address_line_2",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="address line 2"
                            ),
                        ),
                        ("town", models.CharField(max_length=100, verbose_name="town or city")),
                        ("postcode", models.CharField(max_length=8)),
                        (
                            "gp_practice",
                            models.CharField(max_length=150, verbose_name="GP practice"),
                        ),
                        (
                            "gp_name",
                            models.CharField(blank=True, max_length=100, verbose_name="GP name"),
                        ),
                        ("emergency_contact_name", models.CharField(max_length=150)),
                        (
                            "emergency_contact_relationship",
                            models.CharField(blank=True, max_length=60),
                        ),
                        ("emergency_contact_phone", models.CharField(max_length=20)),
                        (
                            "referral_source",
                            models.CharField(
                                choices=[
                                    ("self", "Self-referral"),
                                    ("gp", "GP"),
                                    ("consultant", "Consultant / specialist"),
                                    ("other-clinic", "Another clinic"),
                                    ("website", "Website / online search"),
                                    ("recommendation", "Friend or family recommendation"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "referral_detail",
                            models.CharField(
                                blank=True,
                                help_text="Referrer's name or how they heard of us",
                                max_length=200,
                            ),
                        ),
                        (
                            "consent_contact_email",
                            models.BooleanField(
                                default=False, verbose_name="consents to service messages by email"
                            ),
                        ),
                        (
                            "consent_contact_email_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "consent_contact_sms",
                            models.BooleanField(
                                default=False, verbose_name="consents to service messages by SMS"
                            ),
                        ),
                        (
                            "consent_contact_sms_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "Active"), ("archived", "Archived")],
                                default="active",
                                max_length=10,
                            ),
                        ),
                        (
                            "archived_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        ("archived_reason", models.CharField(blank=True, max_length=200)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "registered_by",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for imported records",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "family_name_key",
                            models.CharField(blank=True, editable=False, max_length=150),
                        ),
                        (
                            "family_name_tokens",
                            models.CharField(blank=True, editable=False, max_length=150),
                        ),
                        (
                            "given_name_tokens",
                            models.CharField(blank=True, editable=False, max_length=255),
                        ),
                        (
                            "consent_marketing_email",
                            models.BooleanField(
                                db_default=False,
                                default=False,
                                verbose_name="consents to recalls and news by email",
                            ),
                        ),
                        (
                            "consent_marketing_email_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "consent_marketing_sms",
                            models.BooleanField(
                                db_default=False,
                                default=False,
                                verbose_name="consents to recalls and news by SMS",
                            ),
                        ),
                        (
                            "consent_marketing_sms_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                    ],
                    options={
                        "ordering": ["family_name", "given_names", "id"],
                        "permissions": [
                            ("archive_patient", "Can archive and restore patients"),
                            ("view_nhs_number", "Can see NHS numbers"),
                            ("view_patient_history", "Can see a patient's change history"),
                        ],
                        "indexes": [
                            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
                            models.Index(fields=["phone"], name="patient_phone_idx"),
                            models.Index(
                                django.db.models.functions.text.Lower("family_name"),
                                models.F("date_of_birth"),
                                name="patient_surname_dob_idx",
                            ),
                            models.Index(
                                fields=["status", "family_name"], name="patient_status_name_idx"
                            ),
                            models.Index(
                                fields=["family_name_key", "date_of_birth"],
                                name="patient_key_dob_idx",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("nhs_number", ""), _negated=True),
                                fields=("nhs_number",),
                                name="patient_nhs_number_unique",
                                violation_error_message="Another patient already has this NHS number.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["active", "archived"])),
                                name="patient_status_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="IntakeQuestionnaire",
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
                        ("completed_on", models.DateField(help_text="Date the patient answered")),
                        (
                            "allergy_toxin_or_albumin",
                            models.BooleanField(
                                verbose_name="allergic reaction to a botulinum toxin or to human albumin"
                            ),
                        ),
                        (
                            "allergy_cows_milk_protein",
                            models.BooleanField(verbose_name="allergy to cow's milk protein"),
                        ),
                        (
                            "allergy_details",
                            models.TextField(
                                blank=True, verbose_name="allergies (drug, excipient) and reactions"
                            ),
                        ),
                        (
                            "infection_at_sites",
                            models.BooleanField(
                                verbose_name="skin infection, cold sore, acne flare or inflammation where injections are planned"
                            ),
                        ),
                        (
                            "neuromuscular_disorder",
                            models.BooleanField(
                                verbose_name="myasthenia gravis, Lambert-Eaton, motor neurone disease or another nerve/muscle disease"
                            ),
                        ),
                        ("neuromuscular_details", models.CharField(blank=True, max_length=250)),
                        (
                            "swallowing_or_breathing_problems",
                            models.BooleanField(
                                verbose_name="difficulty swallowing or breathing, aspiration or chest problems"
                            ),
                        ),
                        (
                            "pregnant_or_breastfeeding",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="pregnant, trying to conceive or breastfeeding",
                            ),
                        ),
                        (
                            "bleeding_risk",
                            models.BooleanField(
                                verbose_name="takes blood thinners (warfarin, DOACs, heparin, aspirin, clopidogrel) or has a bleeding disorder"
                            ),
                        ),
                        (
                            "interacting_medicines",
                            models.BooleanField(
                                verbose_name="taking or recently took aminoglycoside antibiotics (e.g. gentamicin), muscle relaxants or anticholinergic medicines"
                            ),
                        ),
                        (
                            "toxin_in_last_4_months",
                            models.BooleanField(
                                verbose_name="botulinum toxin injection elsewhere in the last 4 months"
                            ),
                        ),
                        (
                            "previous_poor_response",
                            models.BooleanField(
                                verbose_name="little or no effect from toxin previously"
                            ),
                        ),
                        (
                            "facial_surgery_fillers_or_asymmetry",
                            models.BooleanField(
                                verbose_name="facial surgery, fillers or threads, eyelid droop or marked facial asymmetry"
                            ),
                        ),
                        (
                            "can_self_catheterise",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="performs clean intermittent self-catheterisation",
                            ),
                        ),
                        ("heart_disease", models.BooleanField(verbose_name="heart disease")),
                        (
                            "important_event_or_driving",
                            models.BooleanField(
                                verbose_name="important event in the next 2 weeks, or drives / operates machinery"
                            ),
                        ),
                        (
                            "current_medications",
                            models.TextField(
                                blank=True,
                                verbose_name="current medications (incl. over-the-counter and supplements)",
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        ("review_note", models.CharField(blank=True, max_length=500)),
                        (
                            "entered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
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
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="questionnaires",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "migraine_preventives_failed",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Headache patients only: the number of preventives (e.g. propranolol, topiramate, amitriptyline) taken for 2-3 months. NICE TA260 asks for 3 or more.",
                                null=True,
                                verbose_name="migraine preventive medicines tried that did not help or were not tolerated",
                            ),
                        ),
                        (
                            "urinary_infection",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="urinary infection now (burning, frequency, fever)",
                            ),
                        ),
                        (
                            "urinary_retention",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="difficulty emptying the bladder (urinary retention)",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-completed_on", "-id"],
                        "permissions": [
                            ("review_intakequestionnaire", "Can mark a questionnaire reviewed")
                        ],
                        "indexes": [
                            models.Index(
                                fields=["patient", "-completed_on"],
                                name="questionnaire_patient_idx",
                            ),
                            models.Index(
                                condition=models.Q(("reviewed_at__isnull", True)),
                                fields=["completed_on", "id"],
                                name="questionnaire_review_queue_idx",
                            ),
                        ],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalPriorTreatment",
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
                        ("treated_on", models.DateField(verbose_name="date given")),
                        (
                            "product_other",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="product if not listed"
                            ),
                        ),
                        (
                            "units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="In that product's units",
                                max_digits=7,
                                null=True,
                            ),
                        ),
                        (
                            "area",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="area or reason"
                            ),
                        ),
                        (
                            "clinic_name",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="clinic or practitioner"
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
                        (
                            "questionnaire",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="patients.intakequestionnaire",
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
                    ],
                    options={
                        "verbose_name": "historical prior treatment",
                        "verbose_name_plural": "historical prior treatments",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalIntakeQuestionnaire",
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
                        ("completed_on", models.DateField(help_text="Date the patient answered")),
                        (
                            "allergy_toxin_or_albumin",
                            models.BooleanField(
                                verbose_name="allergic reaction to a botulinum toxin or to human albumin"
                            ),
                        ),
                        (
                            "allergy_cows_milk_protein",
                            models.BooleanField(verbose_name="allergy to cow's milk protein"),
                        ),
                        (
                            "allergy_details",
                            models.TextField(
                                blank=True, verbose_name="allergies (drug, excipient) and reactions"
                            ),
                        ),
                        (
                            "infection_at_sites",
                            models.BooleanField(
                                verbose_name="skin infection, cold sore, acne flare or inflammation where injections are planned"
                            ),
                        ),
                        (
                            "neuromuscular_disorder",
                            models.BooleanField(
                                verbose_name="myasthenia gravis, Lambert-Eaton, motor neurone disease or another nerve/muscle disease"
                            ),
                        ),
                        ("neuromuscular_details", models.CharField(blank=True, max_length=250)),
                        (
                            "swallowing_or_breathing_problems",
                            models.BooleanField(
                                verbose_name="difficulty swallowing or breathing, aspiration or chest problems"
                            ),
                        ),
                        (
                            "pregnant_or_breastfeeding",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="pregnant, trying to conceive or breastfeeding",
                            ),
                        ),
                        (
                            "bleeding_risk",
                            models.BooleanField(
                                verbose_name="takes blood thinners (warfarin, DOACs, heparin, aspirin, clopidogrel) or has a bleeding disorder"
                            ),
                        ),
                        (
                            "interacting_medicines",
                            models.BooleanField(
                                verbose_name="taking or recently took aminoglycoside antibiotics (e.g. gentamicin), muscle relaxants or anticholinergic medicines"
                            ),
                        ),
                        (
                            "toxin_in_last_4_months",
                            models.BooleanField(
                                verbose_name="botulinum toxin injection elsewhere in the last 4 months"
                            ),
                        ),
                        (
                            "previous_poor_response",
                            models.BooleanField(
                                verbose_name="little or no effect from toxin previously"
                            ),
                        ),
                        (
                            "facial_surgery_fillers_or_asymmetry",
                            models.BooleanField(
                                verbose_name="facial surgery, fillers or threads, eyelid droop or marked facial asymmetry"
                            ),
                        ),
                        (
                            "can_self_catheterise",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="performs clean intermittent self-catheterisation",
                            ),
                        ),
                        ("heart_disease", models.BooleanField(verbose_name="heart disease")),
                        (
                            "important_event_or_driving",
                            models.BooleanField(
                                verbose_name="important event in the next 2 weeks, or drives / operates machinery"
                            ),
                        ),
                        (
                            "current_medications",
                            models.TextField(
                                blank=True,
                                verbose_name="current medications (incl. over-the-counter and supplements)",
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        ("review_note", models.CharField(blank=True, max_length=500)),
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
                            "entered_by",
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
                            "migraine_preventives_failed",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Headache patients only: the number of preventives (e.g. propranolol, topiramate, amitriptyline) taken for 2-3 months. NICE TA260 asks for 3 or more.",
                                null=True,
                                verbose_name="migraine preventive medicines tried that did not help or were not tolerated",
                            ),
                        ),
                        (
                            "urinary_infection",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="urinary infection now (burning, frequency, fever)",
                            ),
                        ),
                        (
                            "urinary_retention",
                            models.CharField(
                                choices=[("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")],
                                max_length=3,
                                verbose_name="difficulty emptying the bladder (urinary retention)",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical intake questionnaire",
                        "verbose_name_plural": "historical intake questionnaires",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PriorTreatment",
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
                        ("treated_on", models.DateField(verbose_name="date given")),
                        (
                            "product_other",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="product if not listed"
                            ),
                        ),
                        (
                            "units",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="In that product's units",
                                max_digits=7,
                                null=True,
                            ),
                        ),
                        (
                            "area",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="area or reason"
                            ),
                        ),
                        (
                            "clinic_name",
                            models.CharField(
                                blank=True, max_length=150, verbose_name="clinic or practitioner"
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
                                related_name="prior_treatments",
                                to="patients.patient",
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
                            "questionnaire",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="prior_treatments",
                                to="patients.intakequestionnaire",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-treated_on", "-id"],
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("units__isnull", True), ("units__gt", 0), _connector="OR"
                                ),
                                name="priortreatment_units_positive",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalSubjectAccessRequest",
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
                            "requester",
                            models.CharField(
                                default="The patient",
                                help_text="Who asked: the patient, or a third party with their written authority",
                                max_length=150,
                            ),
                        ),
                        ("received_on", models.DateField(verbose_name="received on")),
                        (
                            "identity_verified_on",
                            models.DateField(
                                blank=True, null=True, verbose_name="identity verified on"
                            ),
                        ),
                        (
                            "is_complex",
                            models.BooleanField(
                                default=False,
                                help_text="Allows an extension by two further months, if the patient is told in time",
                                verbose_name="complex or one of several requests",
                            ),
                        ),
                        (
                            "extension_notified_on",
                            models.DateField(
                                blank=True,
                                null=True,
                                verbose_name="patient told of the extension on",
                            ),
                        ),
                        ("extension_reason", models.CharField(blank=True, max_length=300)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("completed", "Completed"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        (
                            "completed_on",
                            models.DateField(blank=True, null=True, verbose_name="copy sent on"),
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
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                    ],
                    options={
                        "verbose_name": "historical subject access request",
                        "verbose_name_plural": "historical subject access requests",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="SubjectAccessRequest",
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
                            "requester",
                            models.CharField(
                                default="The patient",
                                help_text="Who asked: the patient, or a third party with their written authority",
                                max_length=150,
                            ),
                        ),
                        ("received_on", models.DateField(verbose_name="received on")),
                        (
                            "identity_verified_on",
                            models.DateField(
                                blank=True, null=True, verbose_name="identity verified on"
                            ),
                        ),
                        (
                            "is_complex",
                            models.BooleanField(
                                default=False,
                                help_text="Allows an extension by two further months, if the patient is told in time",
                                verbose_name="complex or one of several requests",
                            ),
                        ),
                        (
                            "extension_notified_on",
                            models.DateField(
                                blank=True,
                                null=True,
                                verbose_name="patient told of the extension on",
                            ),
                        ),
                        ("extension_reason", models.CharField(blank=True, max_length=300)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("completed", "Completed"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        (
                            "completed_on",
                            models.DateField(blank=True, null=True, verbose_name="copy sent on"),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="subject_access_requests",
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
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                    ],
                    options={
                        "ordering": ["-received_on", "-id"],
                        "permissions": [
                            ("export_patient_record", "Can produce a patient's subject access copy")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["open", "completed", "withdrawn"])
                                ),
                                name="sar_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("identity_verified_on__isnull", True),
                                    ("identity_verified_on__gte", models.F("received_on")),
                                    _connector="OR",
                                ),
                                name="sar_verified_after_received",
                                violation_error_message="Identity cannot be verified before the request came.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("completed_on__isnull", True),
                                    ("completed_on__gte", models.F("received_on")),
                                    _connector="OR",
                                ),
                                name="sar_completed_after_received",
                                violation_error_message="The copy cannot be sent before the request came.",
                            ),
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="SubjectAccessCopy",
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
                            "produced_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("json", "JSON file"), ("print", "Readable copy")],
                                editable=False,
                                max_length=10,
                            ),
                        ),
                        (
                            "produced_by",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="copies",
                                to="patients.subjectaccessrequest",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-produced_at", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("kind__in", ["json", "print"])),
                                name="sar_copy_kind_valid",
                            )
                        ],
                        "indexes": [],
                    },
                ),
                migrations.CreateModel(
                    name="DailyRegistrations",
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
                        ("day", models.DateField(unique=True)),
                        ("patients", models.IntegerField()),
                    ],
                    options={
                        "verbose_name_plural": "daily registrations",
                        "ordering": ["day"],
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ]
        ),
        clinic.migration_ops.DataSteps(STEPS),
    ]
