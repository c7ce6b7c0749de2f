"""Choices of the outbox: what a message is, by which channel, and what became of it."""

from django.db import models


class MessageKind(models.TextChoices):
    REMINDER = "reminder", "Appointment reminder"
    RECALL = "recall", "Recall"
    AFTERCARE = "aftercare", "Aftercare advice"
    WAITING_LIST_OFFER = "waiting-offer", "Waiting-list offer"

    @classmethod
    def marketing(cls) -> set[str]:
        """Marketing-like under PECR (rule 37): an unsubscribe in every message."""
        return {cls.RECALL}


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
