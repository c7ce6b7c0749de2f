"""Messages to patients (issue 15.5), what may be sent: consent per channel and kind (rule
37), what each kind says, the unsubscribe link, recalls sent from the recall list (for a
treated indication only) and aftercare advice from a signed session (rule 40). When and
how they go out: test_messaging_delivery.py."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.diary import services as diary_services
from clinic.diary.messaging import services, texts
from clinic.diary.messaging.channels import RecordingSmsProvider
from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from clinic.diary.messaging.models import PatientMessage
from clinic.diary.messaging.selectors import recall_counts
from clinic.diary.models import AppointmentType
from tests.clinic.diary_helpers import at, working
from tests.clinic.messaging_helpers import (
    CONSENTS,
    ask_for,
    book,
    by_channel,
    needs,
    signed_session,
)
from tests.clinic.worker import run_worker
from tests.factories import PatientFactory, TreatmentSessionFactory

# The fake SMS provider's record is emptied around each test (tests/clinic/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_fake_sms")]


@pytest.fixture
def doctor(practitioner):
    """Works 08:00-18:00 every day (longer than tests/clinic/conftest.py's doctor)."""
    return working(practitioner, starts=time(8), ends=time(18))


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


def _recall_rows(html: str) -> list[tuple[str, str]]:
    """The recall list's rows as (the first cell, the whole row)."""
    tbody = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.S)
    return [(re.search(r"<td[^>]*>(.*?)</td>", row, re.S)[1], row) for row in rows]


def _send_button(html: str) -> str:
    button = re.search(r'data-testid="send-recalls"[^>]*>(.*?)</button>', html, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", button).split())


def test_the_recall_boxes_are_beside_the_names_and_the_button_counts_the_ticked(
    reception_client, doctor
):
    """Browser review, 07/12/2026: on an iPad the Recall boxes, 33 of 41 ticked, were the
    last column, scrolled off the screen, and "Send recall messages to the ticked
    patients" sent to them all. Each box is in the first cell, labelled with the
    patient's name; it comes ticked for those who agreed to recalls (the others would
    only be skipped); the button says how many are ticked."""
    agreed = [
        PatientFactory(family_name="Ashdown", given_names="Ada", **CONSENTS["sms"]),
        PatientFactory(family_name="Brackley", given_names="Ben", **CONSENTS["email"]),
    ]
    declined = PatientFactory(
        family_name="Cotterill", given_names="Cy", **CONSENTS["service messages only"]
    )
    sessions = {p: signed_session(p, doctor, days_ago=100) for p in [*agreed, declined]}
    html = reception_client.get(reverse("reports:recall")).content.decode()

    head = html.split("<thead", 1)[1].split("</thead>", 1)[0]
    headings = [h.strip() for h in re.findall(r"<th[^>]*>\s*(?:<a[^>]*>)?([^<]*)", head)]
    assert headings[0] == "Name" and headings[-1] == "Book" and "Recall" not in headings
    rows = _recall_rows(html)
    assert len(rows) == 3
    for patient in [*agreed, declined]:
        (first,) = [cell for cell, row in rows if patient.record_number in row]
        box = re.search(r'<input [^>]*name="recall"[^>]*>', first)[0]
        assert f'value="{patient.public_id}:{sessions[patient].indication_id}"' in box
        assert 'form="recall-send"' in box
        assert (" checked" in box) == (patient in agreed)
        box_id = re.search(r'id="([^"]+)"', box)[1]
        label = re.search(rf'<label [^>]*for="{box_id}">(.*?)</label>', first, re.S)[1]
        assert label.startswith(f"{patient.family_name.upper()}, {patient.given_names}")
    assert _send_button(html) == "Send recall messages to 2 ticked patients"

    # One ticked: said so; none ticked: nought, not "the ticked patients".
    one = reception_client.get(reverse("reports:recall"), {"contact": "sms"}).content.decode()
    assert _send_button(one) == "Send recall messages to 1 ticked patient"
    none = reception_client.get(reverse("reports:recall"), {"contact": "none"}).content.decode()
    assert _send_button(none) == "Send recall messages to 0 ticked patients"
    # With nobody ticked the button cannot be pressed, and the line beside it says why;
    # with someone ticked it can, and that line is hidden.
    assert _button_tag(none).endswith(" disabled>") and _none_ticked(none) == ""
    assert " disabled" not in _button_tag(one) and _none_ticked(one) == " hidden"


def _button_tag(html: str) -> str:
    return re.search(r'<button [^>]*data-testid="send-recalls"[^>]*>', html)[0]


def _none_ticked(html: str) -> str:
    """What follows data-none-ticked in its tag: " hidden" or nothing."""
    return re.search(r"data-none-ticked( hidden)?>", html)[1] or ""


def test_without_recalls_to_send_the_names_have_no_boxes(manager_client, doctor):
    patient = PatientFactory(family_name="Ashdown", **CONSENTS["sms"])
    signed_session(patient, doctor, days_ago=100)
    html = manager_client.get(reverse("reports:recall")).content.decode()
    ((first, _row),) = _recall_rows(html)
    assert first.startswith("ASHDOWN, ") and "<input" not in first
    assert 'form="recall-send"' not in html and 'data-testid="send-recalls"' not in html


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


def _book_treatment(patient, doctor, reception, indication, starts_at):
    return diary_services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=AppointmentType.objects.get(slug="first-treatment"),
        indication=indication,
        starts_at=starts_at,
        booked_by=reception,
        acknowledge_flags=True,
    )


def test_a_patient_booked_for_the_treatment_is_not_ticked_for_a_recall(
    reception_client, doctor, reception
):
    """Reception review, 07/12/2026: patients due who were booked for that very treatment
    (some of them that day, one arrived already) came ticked on the recall list, with a
    Book button, and "Send recall messages" asked them to book. The row says when they are
    booked, unticked; a cancelled booking leaves them to recall."""
    booked = PatientFactory(family_name="Ashdown", **CONSENTS["sms"])
    cancelled = PatientFactory(family_name="Brackley", **CONSENTS["sms"])
    sessions = {p: signed_session(p, doctor, days_ago=100) for p in (booked, cancelled)}
    _book_treatment(booked, doctor, reception, sessions[booked].indication, at(1, 10))
    gone = _book_treatment(cancelled, doctor, reception, sessions[cancelled].indication, at(1, 11))
    diary_services.appointment_cancel(
        appointment=gone, cancelled_by="patient", reason="Away", user=reception
    )

    html = reception_client.get(reverse("reports:recall")).content.decode()
    rows = {
        p: row
        for p in (booked, cancelled)
        for _, row in _recall_rows(html)
        if p.record_number in row
    }
    box = re.search(r'<input [^>]*name="recall"[^>]*>', rows[booked])[0]
    assert " checked" not in box
    assert f"Booked</span> {at(1, 10):%a %d/%m/%Y} 10:00" in rows[booked]
    assert "diary/free/" not in rows[booked]  # no Book button for the booked
    assert " checked" in re.search(r'<input [^>]*name="recall"[^>]*>', rows[cancelled])[0]
    assert _send_button(html) == "Send recall messages to 1 ticked patient"


def test_a_recall_sent_for_a_patient_booked_since_is_skipped(doctor, reception):
    """The list was read before the patient booked (a box left ticked on a page open all
    morning): the send skips them and says why."""
    patient = PatientFactory(**CONSENTS["both"])
    session = signed_session(patient, doctor, days_ago=100)
    _book_treatment(patient, doctor, reception, session.indication, at(2, 10))
    rows = by_channel(
        services.recall_send(wanted=[(patient, session.indication)], sent_by=reception)
    )
    for row in rows.values():
        assert row.status == MessageStatus.SKIPPED
        assert row.skip_reason == f"Booked already for {at(2, 10):%d/%m/%Y} 10:00"


def test_a_review_booked_for_the_indication_is_not_a_treatment_booked(
    reception_client, doctor, reception
):
    """Code review (07/12/2026): only a treatment visit booked stops a recall. A review of
    the same indication (a phone review of the migraine diary, the 2-week review) books no
    treatment: the patient due is still ticked and sent the recall, not skipped as
    "Booked already"."""
    patient = PatientFactory(family_name="Cardew", **CONSENTS["sms"])
    session = signed_session(patient, doctor, days_ago=100)
    diary_services.appointment_book(
        patient=patient,
        practitioner=doctor,
        appointment_type=AppointmentType.objects.get(slug="review"),
        indication=session.indication,
        starts_at=at(1, 10),
        booked_by=reception,
        acknowledge_flags=True,
    )

    html = reception_client.get(reverse("reports:recall")).content.decode()
    (row,) = [row for _, row in _recall_rows(html) if patient.record_number in row]
    assert " checked" in re.search(r'<input [^>]*name="recall"[^>]*>', row)[0]
    assert "Booked</span>" not in row
    rows = services.recall_send(wanted=[(patient, session.indication)], sent_by=reception)
    assert rows and not [r for r in rows if r.skip_reason.startswith("Booked already")]
