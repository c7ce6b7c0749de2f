"""Writes of the outbox: record a message (queued, or skipped with why), send a queued
one (the background task's body), and the three ways staff ask for messages: recall
messages from the recall list, aftercare advice after a signed session, and a
waiting-list offer. Reminders are scheduled by `reminders`.

Consent (DOMAIN §6.1, §6.4, rule 37) is decided twice: when the message is recorded and
again just before it is sent (consent withdrawn meanwhile skips it). Each kind needs its
own consent on the channel: service messages (reminders, aftercare advice, waiting-list
offers) the patient's consent to service messages by it; marketing (recalls) the separate
marketing consent by it, and carries an unsubscribe link. Nothing is sent on a channel
without the matching consent.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.diary.messaging import channels, texts
from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage

CHANNELS = (MessageChannel.SMS, MessageChannel.EMAIL)
# A second recall for the same patient and indication within this many days is skipped
# (a double-click, or two receptionists working the same list).
RECALL_REPEAT_DAYS = 14

FOREIGN_KEYS = ["patient", "appointment", "indication", "session", "waiting_entry", "created_by"]
CHANNEL_WORD = {MessageChannel.SMS: "SMS", MessageChannel.EMAIL: "email"}


def consent_problem(*, patient, kind: str, channel: str) -> str:
    """Why this patient may not get this kind of message on this channel; "" if they may."""
    from patients.choices import PatientStatus

    word = CHANNEL_WORD[channel]
    if patient.status == PatientStatus.ARCHIVED:
        return "The patient's record is archived"
    if kind in MessageKind.marketing():
        if not getattr(patient, f"consent_marketing_{channel}"):
            return f"No consent to marketing by {word} (rule 37)"
    elif not getattr(patient, f"consent_contact_{channel}"):
        return f"No consent to contact by {word}"
    if channel == MessageChannel.EMAIL and not patient.email:
        return "No email address"
    if channel == MessageChannel.SMS and not patient.phone:
        return "No mobile number"
    return ""


def _address(patient, channel: str) -> str:
    return patient.email if channel == MessageChannel.EMAIL else patient.phone


def _enqueue(message: PatientMessage) -> None:
    from clinic.diary.messaging.tasks import send_patient_message

    task = send_patient_message
    if message.send_after > timezone.now():
        if not task.get_backend().supports_defer:
            return  # `manage.py send_due_messages` queues it when it is due
        task = task.using(run_after=message.send_after)
    task.enqueue(message.pk)


@transaction.atomic
def message_request(
    *,
    patient,
    kind: str,
    created_by=None,
    send_after=None,
    appointment=None,
    indication=None,
    session=None,
    waiting_entry=None,
    unless_queued: bool = False,
) -> list[PatientMessage]:
    """One row per channel: queued where the patient consented (sent by the worker after
    `send_after`, on commit), else skipped with the reason. `unless_queued`: a channel
    whose latest same message (same patient, kind, appointment, session and waiting-list
    entry) is still queued gets no second one: that row is returned, with
    `already_queued` set; nor does one whose latest was skipped for the reason that still
    holds (a second press wrote a second "SMS skipped" row: browser review): that row is
    returned, with `already_skipped` set (the caller holds a lock on what the message is
    about)."""
    send_after = send_after or timezone.now()
    latest = {}
    if unless_queued:
        latest = {
            row.channel: row
            for row in PatientMessage.objects.filter(
                patient=patient,
                kind=kind,
                appointment=appointment,
                indication=indication,
                session=session,
                waiting_entry=waiting_entry,
            ).order_by("id")
        }
    rows = []
    for channel in CHANNELS:
        before = latest.get(channel)
        if before is not None and before.status == MessageStatus.QUEUED:
            before.already_queued = True
            rows.append(before)
            continue
        problem = consent_problem(patient=patient, kind=kind, channel=channel)
        if (
            problem
            and before is not None
            and before.status == MessageStatus.SKIPPED
            and before.skip_reason == problem
        ):
            before.already_skipped = True
            rows.append(before)
            continue
        message = PatientMessage(
            patient=patient,
            kind=kind,
            channel=channel,
            status=MessageStatus.SKIPPED if problem else MessageStatus.QUEUED,
            skip_reason=problem,
            appointment=appointment,
            appointment_starts_at=appointment.starts_at if appointment else None,
            indication=indication,
            session=session,
            waiting_entry=waiting_entry,
            to="" if problem else _address(patient, channel),
            send_after=send_after,
            finished_at=timezone.now() if problem else None,
            created_by=created_by,
        )
        message.full_clean(exclude=FOREIGN_KEYS)  # they are rows we hold: no queries
        message.save()
        if not problem:
            transaction.on_commit(lambda message=message: _enqueue(message))
        rows.append(message)
    return rows


def _why_not_now(message: PatientMessage) -> str:
    """Why a queued message must not go now (consent withdrawn, appointment moved ...)."""
    problem = consent_problem(patient=message.patient, kind=message.kind, channel=message.channel)
    if problem:
        return problem + " when it was due to be sent"
    if message.kind == MessageKind.REMINDER:
        appointment = message.appointment
        if not appointment.is_open:
            return f"The appointment is {appointment.get_status_display().lower()}"
        if appointment.starts_at != message.appointment_starts_at:
            return "The appointment was moved"
    if message.kind == MessageKind.WAITING_LIST_OFFER:
        from clinic.diary.waiting_list.choices import WaitingStatus

        if message.waiting_entry.status != WaitingStatus.OFFERED:
            return "The patient is no longer waiting for this offer"
    return ""


def _compose(message: PatientMessage) -> texts.Text:
    if message.kind == MessageKind.REMINDER:
        return texts.reminder(appointment=message.appointment, channel=message.channel)
    if message.kind == MessageKind.RECALL:
        return texts.recall(patient=message.patient, channel=message.channel)
    if message.kind == MessageKind.AFTERCARE:
        return texts.aftercare(session=message.session, channel=message.channel)
    return texts.waiting_list_offer(
        entry=message.waiting_entry, appointment=message.appointment, channel=message.channel
    )


def _finish(message: PatientMessage, *, status: str, **fields) -> PatientMessage:
    message.status = status
    message.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(message, name, value)
    message.save(
        update_fields=[
            "status",
            "finished_at",
            "skip_reason",
            "failure",
            "subject",
            "text",
            "to",
            "provider_reference",
            "sent_at",
        ]
    )
    return message


@transaction.atomic
def message_send(*, message_id: int) -> PatientMessage:
    """Send a queued message once (a repeat finds it done). The channel's error
    propagates: the task retries, then `message_give_up` marks it failed."""
    message = (
        PatientMessage.objects.select_for_update(of=("self",))
        .select_related("patient", "appointment__practitioner", "session", "waiting_entry")
        .get(pk=message_id)
    )
    if message.status != MessageStatus.QUEUED:
        return message
    problem = _why_not_now(message)
    if problem:
        return _finish(message, status=MessageStatus.SKIPPED, skip_reason=problem[:200])
    text = _compose(message)
    address = _address(message.patient, message.channel)
    try:
        if message.channel == MessageChannel.EMAIL:
            reference = channels.send_email(to=address, subject=text.subject, text=text.body)
        else:
            reference = channels.send_sms(to=address, text=text.body)
    except channels.SmsNotConfigured:
        return _finish(
            message, status=MessageStatus.SKIPPED, skip_reason="SMS is not set up (SMS_PROVIDER)"
        )
    return _finish(
        message,
        status=MessageStatus.SENT,
        subject=text.subject,
        text=text.body,
        to=address,
        provider_reference=reference,
        sent_at=timezone.now(),
    )


def message_give_up(*, message_id: int, error: str = "") -> None:
    """After the task's last attempt: the message failed (the error's class only)."""
    PatientMessage.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, failure=error[:200], finished_at=timezone.now()
    )


# Recalls ------------------------------------------------------------------------------


@transaction.atomic
def recall_send(*, wanted: list[tuple], sent_by) -> list[PatientMessage]:
    """Recall messages for (patient, indication) pairs from the recall list. A patient
    recalled for the indication within RECALL_REPEAT_DAYS, or booked for it already (an
    open treatment visit from today on; a review is not one), is skipped, not sent again;
    a patient never treated for it is refused."""
    from clinic.diary.choices import AppointmentKind, AppointmentStatus
    from clinic.diary.models import Appointment
    from treatments.choices import SessionStatus
    from treatments.models import TreatmentSession

    since = timezone.now() - timedelta(days=RECALL_REPEAT_DAYS)
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = []
    for patient, indication in wanted:
        treated = TreatmentSession.objects.filter(
            patient=patient, indication=indication, status=SessionStatus.SIGNED
        ).exists()
        if not treated:
            raise ValidationError("A recall is for a patient treated for that indication.")
        booked = (
            Appointment.objects.filter(
                patient=patient,
                indication=indication,
                appointment_type__kind__in=AppointmentKind.treatments(),  # not a review
                status__in=AppointmentStatus.open(),
                starts_at__gte=today,
            )
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        skipped = None
        if booked is not None:
            # The list is read before the send: a patient booked since it was shown
            # (reception review 07/12/2026: booked patients were asked to book).
            skipped = f"Booked already for {timezone.localtime(booked):%d/%m/%Y %H:%M}"
        elif PatientMessage.objects.filter(
            patient=patient,
            indication=indication,
            kind=MessageKind.RECALL,
            status__in=[MessageStatus.QUEUED, MessageStatus.SENT],
            created_at__gte=since,
        ).exists():
            skipped = f"Recalled already in the last {RECALL_REPEAT_DAYS} days"
        if skipped:
            rows += _skipped_all(
                patient=patient,
                kind=MessageKind.RECALL,
                indication=indication,
                created_by=sent_by,
                reason=skipped,
            )
            continue
        rows += message_request(
            patient=patient, kind=MessageKind.RECALL, indication=indication, created_by=sent_by
        )
    return rows


def _skipped_all(*, patient, kind, reason: str, **fields) -> list[PatientMessage]:
    now = timezone.now()
    return [
        PatientMessage.objects.create(
            patient=patient,
            kind=kind,
            channel=channel,
            status=MessageStatus.SKIPPED,
            skip_reason=reason,
            send_after=now,
            finished_at=now,
            **fields,
        )
        for channel in CHANNELS
    ]


# Aftercare (rule 40) ------------------------------------------------------------------


@transaction.atomic
def aftercare_send(*, session, sent_by) -> list[PatientMessage]:
    """The rule 40 safety-net advice after a signed session, on the channels the patient
    agreed to. Asked again while it is still queued (a double-click, two people): no second
    message on that channel."""
    from treatments.models import TreatmentSession

    if not session.is_signed:
        raise ValidationError("Aftercare advice is sent after the session is signed.")
    # One sender at a time per session, so that the check for a queued message holds.
    TreatmentSession.objects.select_for_update().filter(pk=session.pk).exists()
    return message_request(
        patient=session.patient,
        kind=MessageKind.AFTERCARE,
        session=session,
        created_by=sent_by,
        unless_queued=True,
    )


def due_messages():
    """Queued messages whose time has come (for backends that cannot defer a task, and to
    recover a lost queue: `manage.py send_due_messages`)."""
    return PatientMessage.objects.filter(
        status=MessageStatus.QUEUED, send_after__lte=timezone.now()
    ).order_by("send_after", "id")


def requeue_due_messages() -> int:
    from clinic.diary.messaging.tasks import send_patient_message

    ids = list(due_messages().values_list("pk", flat=True)[:1000])
    for pk in ids:
        send_patient_message.enqueue(pk)
    return len(ids)


__all__ = [
    "aftercare_send",
    "consent_problem",
    "message_give_up",
    "message_request",
    "message_send",
    "recall_send",
    "requeue_due_messages",
]
