"""Appointment.room_chosen: whether the booker named the room (kept on a move) or it came
from the practitioner's hours (a move takes the hours' room at the new time).

Existing rows are left False, the room of their hours, on purpose. Until 07/12/2026 a
room was stored only when the booker picked one at the desk, or by the demo seed, which
gives each appointment the room of its practitioner's weekly hours (clinic.demo.diary;
the waiting-list fill of clinic.demo.messages copies that room); since then a room left
empty on the booking form ("Their room that day") is the hours' room too. So the rows
with a room are almost all hours' rooms, and guessing "chosen" from a room that differs
from today's hours is the very guess this field replaces (the room of a pattern changed
after booking would stick). The rare room picked at the desk before today follows the
hours on its next move, and the move's message names the room it is in.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0001_squashed_0008"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="room_chosen",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="historicalappointment",
            name="room_chosen",
            field=models.BooleanField(default=False),
        ),
    ]
