"""The merged question 12 answer is gone: 0012 copied it into urinary_infection and
urinary_retention."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patients", "0012_split_bladder_answer")]

    operations = [
        migrations.RemoveField(model_name=model, name="bladder_infection_or_retention")
        for model in ("intakequestionnaire", "historicalintakequestionnaire")
    ]
