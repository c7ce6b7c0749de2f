"""The practitioners' private calendar feeds (issue 15, point 8): an iCalendar file at a
secret, revocable address, so the diary shows on their phone. Patient initials and the
appointment's kind only: no names, no clinical detail, nothing a lost phone (or the
calendar service the phone syncs with) would give away beyond who is coming when.

The kind, not the type's name: a type is named after what it treats ("Chronic migraine
(PREEMPT)", "Axillary hyperhidrosis"), so initials, a condition and a time would have left
the clinic (security review 07/12/2026)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.diary.choices import AppointmentKind, AppointmentStatus
from clinic.diary.models import Appointment, CalendarFeed

PAST_DAYS, FUTURE_DAYS = 14, 90
# What a feed's holder needs, now as when the link was made: the diary itself.
FEED_PERMISSION = "diary.view_appointment"
# What the feed says of each kind: the kinds' own labels, without what a treatment is for
# ("Bladder treatment (with PVR)" is a treatment).
FEED_LABELS = {
    AppointmentKind.CONSULTATION: "Consultation",
    AppointmentKind.FIRST_TREATMENT: "First treatment",
    AppointmentKind.TREATMENT: "Treatment",
    AppointmentKind.BLADDER_TREATMENT: "Treatment",
    AppointmentKind.REVIEW: "Review",
    AppointmentKind.PHONE_REVIEW: "Phone review",
}


@transaction.atomic
def feed_issue(*, practitioner) -> CalendarFeed:
    """A new secret for the practitioner's feed (the old link stops working)."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        practitioner=practitioner, defaults={"token": token}
    )
    if not created:
        feed.token, feed.created_at, feed.revoked_at = token, timezone.now(), None
        feed.save()
    return feed


@transaction.atomic
def feed_revoke(*, practitioner) -> None:
    CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_active(*, token: str) -> CalendarFeed | None:
    """The feed of this secret while it may still be read: not revoked, and its holder
    still an active account that may see the diary (a deactivated account's link stops at
    once; so does one whose role no longer shows the diary)."""
    feed = (
        CalendarFeed.objects.select_related("practitioner")
        .filter(token=token, revoked_at__isnull=True, practitioner__is_active=True)
        .first()
    )
    if feed is None or not feed.practitioner.has_perm(FEED_PERMISSION):
        return None
    return feed


def feed_last_read(*, feed: CalendarFeed):
    """The newest read of this link (its access event: when, from which address), or None:
    the settings page shows it, so that a read the practitioner does not recognise leads
    them to switch the link off. One query on the access log's user-and-time index."""
    from clinic.models import AccessEvent

    return (
        AccessEvent.objects.filter(
            user_id=feed.practitioner_id,
            occurred_at__gte=feed.created_at,
            action="diary.feed",
            object_ref=feed_ref(feed),
        )
        .order_by("-occurred_at")
        .only("occurred_at", "ip_address")
        .first()
    )


def feed_ref(feed: CalendarFeed) -> str:
    """How the access log names a feed (object_ref)."""
    return f"calendar feed {feed.pk}"


def feed_logged_path(token: str) -> str:
    """The feed's address as the access log keeps it: without its secret (managers read
    the log; the secret is the key to the feed)."""
    return reverse("diary:feed", kwargs={"token": token}).replace(token, "[secret]")


def revoke_feed_of_deactivated_user(sender, instance, **kwargs):
    """post_save on User: a deactivated account's link is revoked, so that reactivating
    the account does not bring an old link back (a new one can be made)."""
    update_fields = kwargs.get("update_fields")
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    feed_revoke(practitioner=instance)


def _initials(patient) -> str:
    parts = [*patient.given_names.split()[:1], *patient.family_name.replace("-", " ").split()]
    return "".join(part[0].upper() for part in parts if part)


def feed_calendar(*, feed: CalendarFeed) -> bytes:
    """The feed as RFC 5545 text: two weeks back, three months ahead, not cancelled.
    One query."""
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(
            practitioner=feed.practitioner,
            starts_at__gte=now - timedelta(days=PAST_DAYS),
            starts_at__lt=now + timedelta(days=FUTURE_DAYS),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "appointment_type", "room")
        .order_by("starts_at")
    )
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Diary//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.CLINIC_NAME} diary")
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.public_id}@diary")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        label = FEED_LABELS.get(appointment.appointment_type.kind, "Appointment")
        event.add("summary", f"{_initials(appointment.patient)} · {label}")
        if appointment.room:
            event.add("location", appointment.room.name)
        calendar.add_component(event)
    return calendar.to_ical()
