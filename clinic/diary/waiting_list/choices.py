"""Choices of the waiting list."""

from django.db import models


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a slot"
    BOOKED = "booked", "Booked"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.WAITING, cls.OFFERED]
