"""Messages to patients (issue 15.5): consent per channel and kind (rule 37), reminders'
timing and what happens to them when the appointment moves or is cancelled, recall
messages with their unsubscribe link, aftercare advice (rule 40), the real worker
sending a queued reminder into the outbox, and the outbox's pinned query count."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.diary import services as diary_services
from clinic.diary.messaging import services, texts
from clinic.diary.messaging.channels import RecordingSmsProvider
from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage
from clinic.diary.messaging.selectors import recall_counts
from clinic.diary.models import AppointmentType, WorkingPattern
from clinic.diary.waiting_list import services as waiting_services
from clinic.jobs.models import FailedJob
from tests.clinic.test_query_counts import ACCESS_LOG, BASE
from tests.clinic.worker import run_worker
from tests.factories import PatientFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db

# Two consents per channel (DOMAIN §6.1): service messages (reminders, aftercare,
# waiting-list offers) and marketing (recalls; rule 37).
SERVICE = {"consent_contact_sms": True, "consent_contact_email": True}
MARKETING = {"consent_marketing_sms": True, "consent_marketing_email": True}
CONSENTS = {
    "none": {},
    "sms": {"consent_contact_sms": True, "consent_marketing_sms": True},
    "email": {"consent_contact_email": True, "consent_marketing_email": True},
    "both": SERVICE | MARKETING,
    "service messages only": SERVICE,
    "marketing only": MARKETING,
    "reminders by SMS, recalls by email": {
        "consent_contact_sms": True,
        "consent_marketing_email": True,
    },
}


def needs(kind: str) -> str:
    """The consent a kind of message needs on a channel: marketing for recalls."""
    return "marketing" if kind in MessageKind.marketing() else "contact"


@pytest.fixture(autouse=True)
def _clean_fake_sms():
    RecordingSmsProvider.clear()
    yield
    RecordingSmsProvider.clear()


@pytest.fixture
def doctor(practitioner):
    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts=time(8), ends=time(18)
        )
    return practitioner


def at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def book(patient, doctor, reception, starts_at, slug="review"):
    return diary_services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=AppointmentType.objects.get(slug=slug),
        starts_at=starts_at,
        booked_by=reception,
    )


def signed_session(patient, practitioner, days_ago: int = 0):
    return TreatmentSessionFactory(
        patient=patient,
        practitioner=practitioner,
        performed_at=timezone.now() - timedelta(days=days_ago),
        signed=True,
        summarised=True,  # as signing does (the recall list reads it)
    )


def by_channel(rows) -> dict:
    return {row.channel: row for row in rows}


def ask_for(kind, patient, doctor, reception):
    """Record a message of `kind` for `patient`, as the diary or staff would."""
    if kind == MessageKind.REMINDER:
        appointment = book(patient, doctor, reception, at(1, 11))  # inside 48 h: sent at once
        return list(appointment.messages.all())
    if kind == MessageKind.RECALL:
        session = signed_session(patient, doctor)
        return services.recall_send(wanted=[(patient, session.indication)], sent_by=reception)
    if kind == MessageKind.AFTERCARE:
        return services.aftercare_send(session=signed_session(patient, doctor), sent_by=doctor)
    other = book(PatientFactory(), doctor, reception, at(3, 10))
    entry = waiting_services.waiting_list_add(
        patient=patient,
        appointment_type=other.appointment_type,
        from_date=timezone.localdate(),
        created_by=reception,
    )
    diary_services.appointment_cancel(
        appointment=other, cancelled_by="patient", reason="Away", user=reception
    )
    entry.refresh_from_db()
    return waiting_services.waiting_list_send_offer(entry=entry, sent_by=reception)


# Consent: each kind on each channel (rule 37) ----------------------------------------


@pytest.mark.parametrize("kind", MessageKind.values)
@pytest.mark.parametrize("consent", CONSENTS)
def test_no_message_without_the_channels_consent(
    kind, consent, doctor, reception, django_capture_on_commit_callbacks
):
    patient = PatientFactory(**CONSENTS[consent])
    with django_capture_on_commit_callbacks(execute=True):
        rows = by_channel(ask_for(kind, patient, doctor, reception))
    run_worker()

    agreed = {c: getattr(patient, f"consent_{needs(kind)}_{c}") for c in MessageChannel.values}
    for channel in MessageChannel.values:
        row = PatientMessage.objects.get(pk=rows[channel].pk)
        consented = agreed[channel]
        if consented:
            assert row.status == MessageStatus.SENT, (channel, row.skip_reason)
            assert row.text and row.sent_at and row.provider_reference
        else:
            assert row.status == MessageStatus.SKIPPED
            word = "SMS" if channel == MessageChannel.SMS else "email"
            marketing = "marketing" if kind == MessageKind.RECALL else "contact"
            assert row.skip_reason.startswith(f"No consent to {marketing} by {word}")
            assert row.text == "" and row.sent_at is None
    # What actually left the clinic: only on the consented channels.
    assert len(mail.outbox) == (1 if agreed["email"] else 0)
    assert len(RecordingSmsProvider.sent) == (1 if agreed["sms"] else 0)
    if agreed["email"]:
        assert mail.outbox[0].to == [patient.email]
    if agreed["sms"]:
        assert RecordingSmsProvider.sent[0].to == "+44" + patient.phone[1:]


def test_marketing_consent_is_backfilled_from_the_old_reminders_and_news_box():
    """Migration patients 0014: the one box per channel read "Appointment reminders and
    clinic news by ...", so its marketing consent is that box's, with its date."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("patients.migrations.0014_marketing_consent_per_channel")
    given = timezone.now() - timedelta(days=400)
    ticked = PatientFactory(consent_contact_sms=True)
    type(ticked).objects.filter(pk=ticked.pk).update(consent_contact_sms_at=given)
    not_ticked = PatientFactory()

    migration.backfill(apps, None)

    ticked.refresh_from_db()
    not_ticked.refresh_from_db()
    assert (ticked.consent_marketing_sms, ticked.consent_marketing_sms_at) == (True, given)
    assert not ticked.consent_marketing_email and not not_ticked.consent_marketing_sms


def test_the_registration_form_asks_for_reminders_and_recalls_apart():
    from patients.forms import PatientForm

    form = PatientForm()
    for channel in MessageChannel.values:
        assert f"consent_contact_{channel}" in form.fields
        assert f"consent_marketing_{channel}" in form.fields
        assert "unsubscribe" in form.fields[f"consent_marketing_{channel}"].help_text
        assert "news" not in form.fields[f"consent_contact_{channel}"].help_text


def test_giving_marketing_consent_is_dated(patient, reception):
    from patients.services import patient_update

    updated = patient_update(
        patient=patient,
        updated_by=reception,
        expected_version=patient.version,
        consent_marketing_email=True,
    )
    assert updated.consent_marketing_email_at is not None
    assert updated.consent_marketing_sms_at is None and not updated.consent_contact_email


def test_consent_withdrawn_after_queueing_skips_the_message(patient, doctor, reception):
    patient.consent_contact_sms = True
    patient.save()
    appointment = book(patient, doctor, reception, at(1, 11))
    queued = appointment.messages.get(channel=MessageChannel.SMS)
    assert queued.status == MessageStatus.QUEUED
    type(patient).objects.filter(pk=patient.pk).update(consent_contact_sms=False)

    services.message_send(message_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == MessageStatus.SKIPPED
    assert queued.skip_reason == "No consent to contact by SMS when it was due to be sent"
    assert RecordingSmsProvider.sent == []


def test_what_each_kind_says(patient, doctor, reception):
    appointment = book(patient, doctor, reception, at(1, 11))
    reminder = texts.reminder(appointment=appointment, channel=MessageChannel.SMS)
    assert reminder.body.startswith("Appointment reminder from Kensington Neurotoxin Clinic:")
    assert "review" not in reminder.body.lower()  # no clinical detail on a phone's screen

    for channel in MessageChannel.values:
        recall = texts.recall(patient=patient, channel=channel)
        assert "/diary/unsubscribe/" in recall.body  # in every marketing-like message
        assert patient.family_name not in recall.body

    aftercare = texts.aftercare(session=signed_session(patient, doctor), channel="sms")
    assert "swallowing, speaking or breathing in the 4 weeks after your injection" in (
        aftercare.body
    )


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


# Unsubscribe ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel", MessageChannel.values)
def test_the_unsubscribe_link_withdraws_that_channels_consent(channel, client):
    patient = PatientFactory(**CONSENTS["both"], family_name="Quenby")
    url = texts.unsubscribe_url(patient=patient, channel=channel).removeprefix(
        "http://localhost:8000"
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Quenby" not in page.content.decode() and patient.record_number not in (
        page.content.decode()
    )
    patient.refresh_from_db()
    assert getattr(patient, f"consent_marketing_{channel}")  # a GET changes nothing

    done = client.post(url)
    html = done.content.decode()
    assert "You are unsubscribed" in html and "Quenby" not in html
    patient.refresh_from_db()
    other = "sms" if channel == "email" else "email"
    assert not getattr(patient, f"consent_marketing_{channel}")
    assert getattr(patient, f"consent_marketing_{channel}_at") is None
    assert getattr(patient, f"consent_marketing_{other}")  # the other channel is untouched
    # Reminders are service messages: the recall's unsubscribe link leaves them on.
    assert getattr(patient, f"consent_contact_{channel}")
    change = patient.history.first()
    assert change.history_change_reason.startswith("Unsubscribed by")
    assert change.history_user is None


def test_a_forged_unsubscribe_link_changes_nothing(client, patient):
    patient.consent_marketing_email = True
    patient.save()
    token = texts.unsubscribe_token(patient=patient, channel="email")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(reverse("diary:unsubscribe", kwargs={"token": forged}))
    assert "not one we recognise" in response.content.decode()
    patient.refresh_from_db()
    assert patient.consent_marketing_email


def test_a_recall_after_unsubscribing_is_skipped(client, doctor, reception):
    patient = PatientFactory(**CONSENTS["both"])
    session = signed_session(patient, doctor)
    url = texts.unsubscribe_url(patient=patient, channel="sms").removeprefix(
        "http://localhost:8000"
    )
    client.post(url)
    patient.refresh_from_db()
    rows = by_channel(
        services.recall_send(wanted=[(patient, session.indication)], sent_by=reception)
    )
    assert rows["sms"].skip_reason == "No consent to marketing by SMS (rule 37)"
    assert rows["email"].status == "queued"


# Recalls from the recall list ----------------------------------------------------------


def test_reception_sends_recalls_from_the_recall_list(
    reception_client, doctor, reception, django_capture_on_commit_callbacks
):
    due = PatientFactory(**CONSENTS["sms"])
    session = signed_session(due, doctor, days_ago=100)
    page = reception_client.get(reverse("reports:recall"))
    html = page.content.decode()
    assert 'form="recall-send"' in html and f"{due.public_id}:{session.indication_id}" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = reception_client.post(
            reverse("diary:recall_send"),
            {"recall": [f"{due.public_id}:{session.indication_id}"], "next": "/reports/recall/"},
        )
    assert response.status_code == 302
    run_worker()
    sms = PatientMessage.objects.get(kind="recall", channel="sms")
    assert sms.status == "sent" and "/diary/unsubscribe/" in sms.text
    assert sms.indication_id == session.indication_id and sms.created_by == reception

    # Pressed again: recorded as skipped, not sent twice.
    reception_client.post(
        reverse("diary:recall_send"), {"recall": [f"{due.public_id}:{session.indication_id}"]}
    )
    assert PatientMessage.objects.filter(kind="recall", status="sent").count() == 1
    assert PatientMessage.objects.filter(
        kind="recall", skip_reason="Recalled already in the last 14 days"
    ).exists()

    # Then the patient books: "recalls sent and booked" for the manager's view.
    assert recall_counts() == {"sent": 1, "booked": 0}
    book(due, doctor, reception, at(2, 10))
    assert recall_counts() == {"sent": 1, "booked": 1}


def test_practitioners_see_no_recall_boxes(practitioner_client):
    assert (
        'form="recall-send"'
        not in practitioner_client.get(reverse("reports:recall")).content.decode()
    )


def test_a_recall_is_only_for_a_treated_indication(patient, reception):
    from treatments.models import Indication

    with pytest.raises(Exception, match="treated for that indication"):
        services.recall_send(wanted=[(patient, Indication.objects.first())], sent_by=reception)


# Aftercare (rule 40) -------------------------------------------------------------------


def test_the_practitioner_sends_aftercare_from_a_signed_session(
    practitioner_client, practitioner, django_capture_on_commit_callbacks
):
    patient = PatientFactory(**CONSENTS["email"])
    session = signed_session(patient, practitioner)
    detail = practitioner_client.get(reverse("treatments:session_detail", args=[session.public_id]))
    assert 'data-testid="send-aftercare"' in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = practitioner_client.post(
            reverse("diary:aftercare_send", args=[session.public_id]), follow=True
        )
    assert "Aftercare advice: SMS skipped (No consent to contact by SMS); email queued." in (
        response.content.decode()
    )
    run_worker()
    assert texts.SAFETY_NET in mail.outbox[0].body


def test_no_aftercare_before_signing(practitioner_client, practitioner, patient):
    draft = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    response = practitioner_client.post(
        reverse("diary:aftercare_send", args=[draft.public_id]), follow=True
    )
    assert "sent after the session is signed" in response.content.decode()
    assert not PatientMessage.objects.exists()


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
