"""Messages to patients (issue 15.5), how they go out: reminders' timing and what happens
to them when the appointment moves or is cancelled, the real worker sending a queued
reminder into the outbox (and a provider that fails, SMS not set up, sent once, the due
messages command), the patient page's list and the outbox with its pinned query count.
Who may be sent what: test_messaging_consent.py."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.diary import services as diary_services
from clinic.diary.messaging import services
from clinic.diary.messaging.channels import RecordingSmsProvider
from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage
from clinic.diary.models import WorkingPattern
from clinic.jobs.models import FailedJob
from tests.clinic.diary_helpers import at, working
from tests.clinic.messaging_helpers import CONSENTS, ask_for, book
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.clinic.worker import run_worker
from tests.factories import PatientFactory

# The fake SMS provider's record is emptied around each test (tests/clinic/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_fake_sms")]


@pytest.fixture
def doctor(practitioner):
    """Works 08:00-18:00 every day (longer than tests/clinic/conftest.py's doctor)."""
    return working(practitioner, starts=time(8), ends=time(18))


# Reminders: when, and not after a move or a cancellation ------------------------------


def test_a_reminder_is_deferred_to_48_hours_before(patient, doctor, reception, settings):
    patient.consent_contact_email = True
    patient.save()
    starts = at(5, 10)
    appointment = book(patient, doctor, reception, starts)
    email = appointment.messages.get(channel=MessageChannel.EMAIL)
    assert email.status == MessageStatus.QUEUED
    assert settings.DIARY_REMINDER_HOURS == 48
    assert email.send_after == starts - timedelta(hours=48)
    assert email.appointment_starts_at == starts


def test_the_reminder_task_waits_for_its_time(
    patient, doctor, reception, django_capture_on_commit_callbacks
):
    patient.consent_contact_email = True
    patient.save()
    starts = at(5, 10)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, doctor, reception, starts)
    task = DBTaskResult.objects.get()
    assert abs((task.run_after - (starts - timedelta(hours=48))).total_seconds()) < 1
    run_worker()  # not due yet
    assert appointment.messages.get(channel="email").status == MessageStatus.QUEUED
    assert mail.outbox == []


@override_settings(DIARY_REMINDER_HOURS=24)
def test_the_reminder_hours_come_from_settings(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(4, 10))
    assert {m.send_after for m in appointment.messages.all()} == {at(3, 10)}


def test_no_reminder_for_a_booking_two_hours_away(patient, doctor, reception):
    soon = timezone.now() + timedelta(minutes=90)
    soon = soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0)
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=doctor, weekday=weekday, starts=time(0), ends=time(7, 59)
        )
        WorkingPattern.objects.create(
            practitioner=doctor, weekday=weekday, starts=time(18), ends=time(23, 59)
        )
    appointment = book(patient, doctor, reception, soon)
    assert not appointment.messages.exists()


def test_a_moved_appointment_skips_the_old_reminder_and_queues_a_new_one(
    patient, doctor, reception
):
    patient.consent_contact_sms = True
    patient.save()
    appointment = book(patient, doctor, reception, at(4, 10))
    first = appointment.messages.get(channel="sms")
    diary_services.appointment_move(
        appointment=appointment, starts_at=at(6, 14), moved_by=reception
    )
    first.refresh_from_db()
    assert (first.status, first.skip_reason) == ("skipped", "The appointment was moved")
    new = appointment.messages.get(channel="sms", status="queued")
    assert new.appointment_starts_at == at(6, 14)
    assert new.send_after == at(4, 14)


def test_a_cancelled_appointment_is_not_reminded(patient, doctor, reception):
    patient.consent_contact_sms = True
    patient.save()
    appointment = book(patient, doctor, reception, at(4, 10))
    diary_services.appointment_cancel(
        appointment=appointment, cancelled_by="clinic", reason="Doctor ill", user=reception
    )
    sms = appointment.messages.get(channel="sms")
    assert (sms.status, sms.skip_reason) == ("skipped", "The appointment was cancelled")


def test_the_task_checks_the_appointment_again(patient, doctor, reception):
    """A move that bypassed the service (or raced the task): the start differs, skipped."""
    patient.consent_contact_sms = True
    patient.save()
    appointment = book(patient, doctor, reception, at(1, 10))
    sms = appointment.messages.get(channel="sms")
    type(appointment).objects.filter(pk=appointment.pk).update(
        starts_at=at(1, 15), ends_at=at(1, 16)
    )
    services.message_send(message_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.skip_reason) == ("skipped", "The appointment was moved")

    other = book(PatientFactory(consent_contact_sms=True), doctor, reception, at(1, 11))
    queued = other.messages.get(channel="sms")
    type(other).objects.filter(pk=other.pk).update(status="dna")
    services.message_send(message_id=queued.pk)
    queued.refresh_from_db()
    assert queued.skip_reason == "The appointment is did not attend"
    assert RecordingSmsProvider.sent == []


# The acceptance: a reminder appears in the outbox the worker processed ---------------


def test_the_worker_sends_a_queued_reminder_into_the_outbox(
    patient, doctor, reception, reception_client, django_capture_on_commit_callbacks
):
    patient.consent_contact_email = True
    patient.consent_contact_sms = True
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, doctor, reception, at(1, 11))
    assert set(appointment.messages.values_list("status", flat=True)) == {"queued"}

    run_worker()

    sent = appointment.messages.order_by("channel")
    assert [(m.channel, m.status) for m in sent] == [("email", "sent"), ("sms", "sent")]
    assert mail.outbox[0].subject == "Appointment reminder from Kensington Neurotoxin Clinic"
    assert RecordingSmsProvider.sent[0].reference == sent[1].provider_reference
    page = reception_client.get(reverse("diary:outbox"), {"status": "sent", "kind": "reminder"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Appointment reminder from Kensington Neurotoxin Clinic") == 2
    assert patient.record_number in html


@override_settings(SMS_PROVIDER="twilio", TWILIO_ACCOUNT_SID="x", TWILIO_AUTH_TOKEN="y")
def test_a_provider_that_keeps_failing_marks_the_message_failed(
    patient, doctor, reception, monkeypatch, django_capture_on_commit_callbacks
):
    from clinic.diary.messaging import channels

    def refuse(self, to, text):
        raise ConnectionError("provider down")

    monkeypatch.setattr(channels.TwilioSmsProvider, "send", refuse)
    patient.consent_contact_sms = True
    patient.save()
    with override_settings(SMS_FROM="+447700900000"):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(patient, doctor, reception, at(1, 11))
        run_worker()
    sms = appointment.messages.get(channel="sms")
    assert (sms.status, sms.sent_at) == ("failed", None)
    assert FailedJob.objects.get().task_name == "send_patient_message"


@override_settings(SMS_PROVIDER="")
def test_sms_not_set_up_is_skipped_not_failed(patient, doctor, reception):
    patient.consent_contact_sms = True
    patient.save()
    appointment = book(patient, doctor, reception, at(1, 11))
    sms = appointment.messages.get(channel="sms")
    services.message_send(message_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.skip_reason) == ("skipped", "SMS is not set up (SMS_PROVIDER)")


def test_a_message_is_sent_once(patient, doctor, reception):
    patient.consent_contact_sms = True
    patient.save()
    sms = book(patient, doctor, reception, at(1, 11)).messages.get(channel="sms")
    services.message_send(message_id=sms.pk)
    services.message_send(message_id=sms.pk)  # a retry or a second worker
    assert len(RecordingSmsProvider.sent) == 1


def test_the_due_messages_command_queues_what_is_due(patient, doctor, reception):
    from django.core.management import call_command

    patient.consent_contact_sms = True
    patient.save()
    book(patient, doctor, reception, at(1, 11))  # due now (inside 48 h)
    book(PatientFactory(consent_contact_sms=True), doctor, reception, at(6, 11))  # not yet
    call_command("send_due_messages", verbosity=0)
    assert DBTaskResult.objects.count() == 1


# The patient's page and the outbox -----------------------------------------------------


def test_the_patient_page_lists_messages_with_why_skipped(reception_client, doctor, reception):
    patient = PatientFactory(**CONSENTS["sms"])
    book(patient, doctor, reception, at(1, 11))
    html = reception_client.get(patient.get_absolute_url()).content.decode()
    assert 'data-testid="patient-messages"' in html
    assert "No consent to contact by email" in html


def test_the_outbox_filters_by_status_and_kind(reception_client, doctor, reception):
    book(PatientFactory(**CONSENTS["sms"]), doctor, reception, at(1, 11))
    skipped = reception_client.get(reverse("diary:outbox"), {"status": "skipped"})
    html = skipped.content.decode()
    assert "No consent to contact by email" in html and "Queued</span>" not in html
    none = reception_client.get(reverse("diary:outbox"), {"kind": "recall"})
    assert "No messages match these filters" in none.content.decode()
    # A queued message says when it goes and that its text is written then (browser
    # review, 07/12/2026: a blank "text or reason" and an unexplained "from 08/12 11:00").
    queued = reception_client.get(reverse("diary:outbox"), {"status": "queued"}).content.decode()
    assert "to send from " in queued
    assert "Not sent yet. Its text is written when it is sent, with the details" in queued


def test_the_outbox_is_not_for_practitioners_or_managers(practitioner_client, manager_client):
    assert practitioner_client.get(reverse("diary:outbox")).status_code == 403
    assert manager_client.get(reverse("diary:outbox")).status_code == 403


def _outbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("diary:outbox"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _messages(n: int) -> None:
    now = timezone.now()
    PatientMessage.objects.bulk_create(
        PatientMessage(
            patient=PatientFactory(),
            kind="recall",
            channel="sms",
            status="skipped",
            skip_reason="No consent to marketing by SMS (rule 37)",
            send_after=now,
        )
        for _ in range(n)
    )


def test_outbox_query_count_is_pinned(reception_client):
    # + 1 count for the pages + 1 the page's messages (with their patients) + access event
    _messages(1)
    assert _outbox_queries(reception_client) == BASE + 2 + ACCESS_LOG
    _messages(29)
    assert _outbox_queries(reception_client) == BASE + 2 + ACCESS_LOG


def test_the_subject_access_copy_holds_the_messages(patient, doctor, reception):
    from patients.record_export import patient_subject_access_copy

    book(patient, doctor, reception, at(1, 11))
    copy = patient_subject_access_copy(patient=patient)
    messages = next(s for s in copy.sections if s.title == "Messages sent")
    assert {row["skip_reason"] for row in messages.rows} == {
        "No consent to contact by SMS",
        "No consent to contact by email",
    }


def test_the_outbox_shows_a_phone_number_as_the_patient_page_does(
    reception_client, doctor, reception
):
    # It showed the stored "07700900753"; the patient's page shows "07700 900753".
    patient = PatientFactory(phone="07700900753", **CONSENTS["sms"])
    (message,) = [m for m in ask_for(MessageKind.REMINDER, patient, doctor, reception) if m.to]
    assert message.channel == "sms" and message.to == "07700900753"
    html = reception_client.get(reverse("diary:outbox")).content.decode()
    assert "07700 900753" in html and "07700900753" not in html
