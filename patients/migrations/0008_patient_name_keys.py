"""The names normalised by patients.names, stored for search and the duplicate check
(issue 13.10). Schema only: 0009 fills them, 0010 indexes them on PostgreSQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_subject_access_copy"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="family_name_key",
            field=models.CharField(blank=True, editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="patient",
            name="family_name_tokens",
            field=models.CharField(blank=True, editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="patient",
            name="given_name_tokens",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["family_name_key", "date_of_birth"], name="patient_key_dob_idx"
            ),
        ),
    ]
