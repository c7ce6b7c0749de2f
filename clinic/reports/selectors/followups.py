"""Follow-ups: open tasks overdue, due today and due soon; the follow-ups report's rows."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clinic.reports.selectors.scope import Scope
from treatments.models import FollowUp

# Follow-ups "due soon" on the dashboard: the next week.
FOLLOW_UP_SOON_DAYS = 7


def follow_up_scope_q(scope: Scope) -> Q:
    q = Q()
    if scope.practitioner_id:
        q &= Q(assigned_to_id=scope.practitioner_id) | Q(
            session__practitioner_id=scope.practitioner_id
        )
    if scope.indication_id:
        q &= Q(session__indication_id=scope.indication_id)
    if scope.product_id:
        q &= Q(session__product_id=scope.product_id)
    return q


def follow_up_counts(scope: Scope, today: date | None = None) -> dict:
    """Open follow-ups (reviews, calls, diaries) overdue, due today and due this week
    (served by the partial index on open tasks)."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=FOLLOW_UP_SOON_DAYS)
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=soon)
        .filter(follow_up_scope_q(scope))
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            today=Count("id", filter=Q(due_on=today)),
            soon=Count("id", filter=Q(due_on__gt=today)),
        )
    )


def follow_up_rows(scope: Scope, *, due_by: date) -> QuerySet:
    return (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=due_by)
        .filter(follow_up_scope_q(scope))
        .values(
            "id",
            "due_on",
            "kind",
            "title",
            "patient__record_number",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "assigned_to__username",
            "session__indication__name",
        )
        .order_by("due_on", "id")
    )
