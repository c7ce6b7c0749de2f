"""Choices of the diary: appointment kinds and statuses, cancellations, exceptions."""

from django.db import models


class AppointmentKind(models.TextChoices):
    """What an appointment type is for; the booking checks depend on it."""

    CONSULTATION = "consultation", "Consultation (prescriber, face to face)"
    FIRST_TREATMENT = "first-treatment", "First treatment"
    TREATMENT = "treatment", "Follow-up treatment"
    BLADDER_TREATMENT = "bladder-treatment", "Bladder treatment (with PVR)"
    REVIEW = "review", "Review"
    PHONE_REVIEW = "phone-review", "Phone review"

    @classmethod
    def treatments(cls) -> set[str]:
        return {cls.FIRST_TREATMENT, cls.TREATMENT, cls.BLADDER_TREATMENT}


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    IN_TREATMENT = "in-treatment", "In treatment"
    COMPLETED = "completed", "Completed"
    DID_NOT_ATTEND = "dna", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def occupying(cls) -> list[str]:
        """Statuses that hold the slot: a cancelled or missed appointment frees it."""
        return [cls.BOOKED, cls.CONFIRMED, cls.ARRIVED, cls.IN_TREATMENT, cls.COMPLETED]

    @classmethod
    def open(cls) -> list[str]:
        """Still to happen (or happening): can be moved, cancelled or marked."""
        return [cls.BOOKED, cls.CONFIRMED, cls.ARRIVED, cls.IN_TREATMENT]


class CancelledBy(models.TextChoices):
    PATIENT = "patient", "The patient"
    CLINIC = "clinic", "The clinic"


class ExceptionKind(models.TextChoices):
    LEAVE = "leave", "Leave (not working)"
    EXTRA = "extra", "Extra clinic"
