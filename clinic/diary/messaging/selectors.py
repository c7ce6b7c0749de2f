"""Reads of the outbox: the reception's page, a patient's messages, and the counts
managers read (recalls sent and booked)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from clinic.diary.messaging.choices import MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage


def outbox(*, status: str = "", kind: str = "") -> QuerySet:
    """Newest first, with the patient (one query per page)."""
    messages = PatientMessage.objects.select_related("patient").order_by("-created_at", "-id")
    if status in MessageStatus.values:
        messages = messages.filter(status=status)
    if kind in MessageKind.values:
        messages = messages.filter(kind=kind)
    return messages


def messages_for_patient(*, patient, limit: int = 10) -> list[PatientMessage]:
    return list(
        PatientMessage.objects.filter(patient=patient).order_by("-created_at", "-id")[:limit]
    )


def recalls_sent(*, since=None, until=None) -> QuerySet:
    """Recall messages sent (by any channel) in the period, each with `booked`: the
    patient booked an appointment after it (of the recalled indication, or of a type
    without one). Count distinct (patient, indication) for "recalls sent and booked"."""
    from clinic.diary.models import Appointment

    sent = PatientMessage.objects.filter(kind=MessageKind.RECALL, status=MessageStatus.SENT)
    if since is not None:
        sent = sent.filter(sent_at__gte=since)
    if until is not None:
        sent = sent.filter(sent_at__lt=until)
    booked = Appointment.objects.filter(
        Q(indication_id=OuterRef("indication_id")) | Q(indication__isnull=True),
        patient_id=OuterRef("patient_id"),
        created_at__gte=OuterRef("sent_at"),
    )
    return sent.annotate(booked=Exists(booked))


def recall_counts(*, since=None, until=None) -> dict[str, int]:
    """{"sent": patients recalled, "booked": of them, those who booked since}: distinct
    (patient, indication) pairs, whatever the number of channels."""
    rows = recalls_sent(since=since, until=until).values_list(
        "patient_id", "indication_id", "booked"
    )
    sent, booked = set(), set()
    for patient_id, indication_id, was_booked in rows:
        sent.add((patient_id, indication_id))
        if was_booked:
            booked.add((patient_id, indication_id))
    return {"sent": len(sent), "booked": len(booked)}
