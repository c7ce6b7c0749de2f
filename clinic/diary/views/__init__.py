"""Diary pages, a module per concept: the day and the week (`calendar`), booking with the
patient picker and the next free slots (`booking`), one appointment and its steps
(`appointments`), the private calendar feed (`feeds`). Thin: access, form, one service or
selector. The URLs name them from here."""

from clinic.diary.views.appointments import (
    appointment,
    appointment_cancel,
    appointment_move,
    appointment_start,
    appointment_step,
)
from clinic.diary.views.booking import book, free_slots, patient_picker
from clinic.diary.views.calendar import day, week
from clinic.diary.views.feeds import feed, feed_settings

__all__ = [
    "appointment",
    "appointment_cancel",
    "appointment_move",
    "appointment_start",
    "appointment_step",
    "book",
    "day",
    "feed",
    "feed_settings",
    "free_slots",
    "patient_picker",
    "week",
]
