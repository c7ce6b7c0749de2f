"""Copy the merged question 12 answer ("urinary infection now, or difficulty emptying the
bladder") into the two new questions, conservatively (issue 13.3): a "yes" cannot say
which of the two it meant, so it becomes "yes" to both (each blocks a bladder treatment
until a clinician re-asks: nothing is cleared that was flagged); "no" becomes "no" to
both and "not applicable" stays so for both. History rows are copied the same way.

Reverse: the merged answer is "yes" if either is "yes", else "no" if either is "no",
else "not applicable"."""

from django.db import migrations
from django.db.models import Q


def split(apps, schema_editor):
    for model in ("IntakeQuestionnaire", "HistoricalIntakeQuestionnaire"):
        rows = apps.get_model("patients", model).objects
        for answer in ("yes", "no", "n/a"):
            rows.filter(bladder_infection_or_retention=answer).update(
                urinary_infection=answer, urinary_retention=answer
            )


def merge(apps, schema_editor):
    for model in ("IntakeQuestionnaire", "HistoricalIntakeQuestionnaire"):
        rows = apps.get_model("patients", model).objects
        yes = Q(urinary_infection="yes") | Q(urinary_retention="yes")
        no = Q(urinary_infection="no") | Q(urinary_retention="no")
        rows.filter(yes).update(bladder_infection_or_retention="yes")
        rows.exclude(yes).filter(no).update(bladder_infection_or_retention="no")
        rows.exclude(yes).exclude(no).update(bladder_infection_or_retention="n/a")


class Migration(migrations.Migration):
    dependencies = [("patients", "0011_questionnaire_uti_and_retention_fields")]

    operations = [migrations.RunPython(split, merge)]
