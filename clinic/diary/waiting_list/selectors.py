"""Reads of the waiting list."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from clinic.diary.waiting_list.choices import WaitingStatus
from clinic.diary.waiting_list.models import WaitingListEntry
from clinic.listing import Capped, capped

# Entries booked from the list stay on the page this long (what the list achieved).
BOOKED_SHOWN = timedelta(days=14)


def _offer_messages():
    """The offer messages of an entry's offered slot (the outbox rows Send offer wrote),
    latest first: an entry offered a second slot starts again."""
    from clinic.diary.messaging.choices import MessageKind
    from clinic.diary.messaging.models import PatientMessage

    return PatientMessage.objects.filter(
        kind=MessageKind.WAITING_LIST_OFFER,
        waiting_entry=OuterRef("pk"),
        appointment=OuterRef("offered_appointment"),
    ).order_by("-created_at", "-id")


def waiting_list(*, limit: int = 200) -> Capped:
    """Those still waiting: offered a slot first, then the longest waiting; then those
    booked from the list lately (one query; a COUNT too when there are more than
    `limit`, which the page says). An offered entry carries when its offer was last
    sent (`offer_sent_at`) and what became of it by email and by SMS (`offer_email`,
    `offer_sms`: the outbox status), read in the same query (browser review: with no
    sign of a sent offer, reception offered the same slot twice)."""
    from clinic.diary.messaging.choices import MessageChannel

    offers = _offer_messages()
    recently = timezone.now() - BOOKED_SHOWN
    entries = capped(
        WaitingListEntry.objects.filter(
            Q(status__in=WaitingStatus.active())
            | Q(status=WaitingStatus.BOOKED, offered_at__gte=recently)
        )
        .select_related(
            "patient",
            "appointment_type",
            "practitioner",
            "offered_appointment__practitioner",
            "booked_appointment",
        )
        .annotate(
            offer_sent_at=Subquery(offers.values("created_at")[:1]),
            offer_email=Subquery(offers.filter(channel=MessageChannel.EMAIL).values("status")[:1]),
            offer_sms=Subquery(offers.filter(channel=MessageChannel.SMS).values("status")[:1]),
            offered_first=Case(
                When(status=WaitingStatus.OFFERED, then=Value(0)),
                When(status=WaitingStatus.BOOKED, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("offered_first", "created_at", "id"),
        limit,
    )
    for entry in entries.rows:
        entry.offer_said = offer_said(entry) if entry.offer_sent_at else ""
    return entries


# What became of an offer on a channel, as reception reads it (the outbox's status).
_CHANNEL_SAID = {"queued": "waiting to send", "sent": "sent", "failed": "failed"}


def offer_said(entry) -> str:
    """The offer's line on the waiting list: sent when a channel sent it, waiting to be
    sent while one is queued (with the worker stopped it stays so: the review, 07/12/2026,
    found "sent" said of a queued offer), else not sent; then each channel's outcome."""
    outcomes = (entry.offer_email, entry.offer_sms)
    at = timezone.localtime(entry.offer_sent_at)
    when = f"{at:%a %d/%m} at {at:%H:%M}"
    if "sent" in outcomes:
        head = f"Offer of this slot sent {when}"
    elif "queued" in outcomes:
        head = f"Offer of this slot not sent yet (asked {when})"
    else:
        head = f"Offer of this slot not sent {when}"
    email, sms = (_CHANNEL_SAID.get(o, o or "not tried") for o in outcomes)
    return f"{head}: email {email} · SMS {sms}"


def waiting_entry_get(*, pk) -> WaitingListEntry:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        WaitingListEntry.objects.select_related(
            "patient", "appointment_type", "practitioner", "offered_appointment__practitioner"
        ),
        pk=pk,
    )
