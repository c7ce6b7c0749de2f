"""Reads of the waiting list."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from clinic.diary.waiting_list.choices import WaitingStatus
from clinic.diary.waiting_list.models import WaitingListEntry
from clinic.listing import Capped, capped

# Entries booked from the list stay on the page this long (what the list achieved).
BOOKED_SHOWN = timedelta(days=14)


def waiting_list(*, limit: int = 200) -> Capped:
    """Those still waiting: offered a slot first, then the longest waiting; then those
    booked from the list lately (one query; a COUNT too when there are more than
    `limit`, which the page says)."""
    recently = timezone.now() - BOOKED_SHOWN
    return capped(
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
            offered_first=Case(
                When(status=WaitingStatus.OFFERED, then=Value(0)),
                When(status=WaitingStatus.BOOKED, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("offered_first", "created_at", "id"),
        limit,
    )


def waiting_entry_get(*, pk) -> WaitingListEntry:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        WaitingListEntry.objects.select_related("patient", "offered_appointment__practitioner"),
        pk=pk,
    )
