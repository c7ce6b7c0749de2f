"""Marketing consent per channel, apart from consent to service messages (DOMAIN §6.1,
§6.4, rule 37; issue 15.5).

Backfill: until now one box per channel read "Appointment reminders and clinic news by
email" (or "by text message"), so a patient who ticked it was shown, and agreed to, news
on that channel; the marketing consent of that channel is set from it with the same date.
Patients who did not tick it have neither. The service-message consent keeps its value.
From now on the form asks the two questions separately.
"""

from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    patient = apps.get_model("patients", "Patient")
    for channel in ("email", "sms"):
        patient.objects.filter(**{f"consent_contact_{channel}": True}).update(
            **{
                f"consent_marketing_{channel}": True,
                f"consent_marketing_{channel}_at": F(f"consent_contact_{channel}_at"),
            }
        )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0013_remove_merged_bladder_answer"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpatient",
            name="consent_marketing_email",
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="consents to recalls and news by email",
            ),
        ),
        migrations.AddField(
            model_name="historicalpatient",
            name="consent_marketing_email_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalpatient",
            name="consent_marketing_sms",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="consents to recalls and news by SMS"
            ),
        ),
        migrations.AddField(
            model_name="historicalpatient",
            name="consent_marketing_sms_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="consent_marketing_email",
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="consents to recalls and news by email",
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="consent_marketing_email_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="consent_marketing_sms",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="consents to recalls and news by SMS"
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="consent_marketing_sms_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="historicalpatient",
            name="consent_contact_email",
            field=models.BooleanField(
                default=False, verbose_name="consents to service messages by email"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpatient",
            name="consent_contact_sms",
            field=models.BooleanField(
                default=False, verbose_name="consents to service messages by SMS"
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="consent_contact_email",
            field=models.BooleanField(
                default=False, verbose_name="consents to service messages by email"
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="consent_contact_sms",
            field=models.BooleanField(
                default=False, verbose_name="consents to service messages by SMS"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
