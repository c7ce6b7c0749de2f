"""WaitingListEntry.time_of_day and .weekdays: when a waiting patient can come, which the
matching of a cancelled slot reads (front-desk review: "Mornings only" in the notes was
offered a 16:30 slot).

Existing entries can come at any time on any day, as the matching treated them until now;
their notes are left as they are (nothing is guessed from free text): reception reads
them on the list and sets the times when it next changes the entry.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0009_appointment_room_chosen"),
    ]

    operations = [
        migrations.AddField(
            model_name="waitinglistentry",
            name="time_of_day",
            field=models.CharField(
                choices=[
                    ("any", "Any time"),
                    ("mornings", "Mornings (before 12:00)"),
                    ("afternoons", "Afternoons (from 12:00)"),
                ],
                default="any",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="waitinglistentry",
            name="weekdays",
            field=models.PositiveSmallIntegerField(
                default=127, help_text="The days they can come: a bit each, Monday = 1"
            ),
        ),
        migrations.AddConstraint(
            model_name="waitinglistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("time_of_day__in", ["any", "mornings", "afternoons"])),
                name="waiting_time_of_day_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitinglistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekdays__gte", 1), ("weekdays__lte", 127)),
                name="waiting_weekdays_valid",
            ),
        ),
    ]
