"""Reads for follow-up tasks: open and due lists, a patient's tasks, and the clinic's
date today."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.prepared import Prepared
from patients.models import Patient
from treatments.models import FollowUp


def followups_open(*, user=None) -> QuerySet[FollowUp]:
    """Open tasks (`user`'s and the unassigned ones when given) with their patients and
    sessions, not yet ordered: the task list pages them (a clinic group's open tasks can
    number thousands)."""
    return _open(user_id=None if user is None else user.pk)


def _open(*, user_id=None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(done_at__isnull=True).select_related(
        "patient", "session", "session__indication", "assigned_to"
    )
    if user_id is not None:
        qs = qs.filter(Q(assigned_to_id=user_id) | Q(assigned_to__isnull=True))
    return qs


def followup_list_done_today(*, user=None) -> list[FollowUp]:
    """Tasks completed today (by this user when given), latest first: the ones that can
    still be reopened (one query)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    qs = FollowUp.objects.filter(done_at__gte=start).select_related("patient", "done_by")
    if user is not None:
        qs = qs.filter(done_by=user)
    return list(qs.order_by("-done_at", "-id"))


def followup_list_for_patient(*, patient: Patient) -> list[FollowUp]:
    """The patient's tasks as the record lists them: the open ones first, soonest due
    first (what is to do next is at the top), then the done ones, latest due first. One
    query. (Latest due first for all read as out of order: browser review, 07/12/2026.)"""
    tasks = list(patient.follow_ups.select_related("done_by").order_by("-due_on", "-id"))
    return [t for t in reversed(tasks) if t.done_at is None] + [t for t in tasks if t.done_at]


def today() -> date:
    return timezone.localdate()


def followup_get(*, pk: int) -> FollowUp:
    return get_object_or_404(FollowUp.objects.select_related("patient"), pk=pk)


# The home page's tasks: a user's open ones due by a day, overdue first, the first 20;
# compiled once per process (clinic.prepared).
_DUE = Prepared(
    lambda user_id, due_by: (
        _open(user_id=user_id).filter(due_on__lte=due_by).order_by("due_on", "id")[:20]
    ),
    user_id=(-1, -2),
    due_by=(date(2001, 2, 3), date(2002, 3, 4)),
)


def followup_list_due(*, user, today: date | None = None) -> list[FollowUp]:
    """Open tasks due today or overdue for this user (or unassigned), overdue first, with
    their patients: the home page's first 20 (one query)."""
    return _DUE.list(user_id=user.pk, due_by=today or timezone.localdate())
