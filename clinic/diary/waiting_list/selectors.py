"""Reads of the waiting list."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from clinic.diary.waiting_list.choices import WaitingStatus
from clinic.diary.waiting_list.models import WaitingListEntry


def waiting_list(*, limit: int = 200) -> QuerySet:
    """Those still waiting: offered a slot first, then the longest waiting (one query)."""
    return (
        WaitingListEntry.objects.filter(status__in=WaitingStatus.active())
        .select_related(
            "patient",
            "appointment_type",
            "practitioner",
            "offered_appointment__practitioner",
        )
        .annotate(
            offered_first=Case(
                When(status=WaitingStatus.OFFERED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("offered_first", "created_at", "id")[:limit]
    )


def waiting_entry_get(*, pk) -> WaitingListEntry:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        WaitingListEntry.objects.select_related("patient", "offered_appointment__practitioner"),
        pk=pk,
    )
