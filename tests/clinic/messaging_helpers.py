"""Helpers for the tests of messages to patients (issue 15.5): the consents per channel,
a booking and a signed session as these tests make them, and a message of each kind."""

from datetime import timedelta

from django.utils import timezone

from clinic.diary import services as diary_services
from clinic.diary.messaging import services
from clinic.diary.messaging.choices import MessageKind
from clinic.diary.models import AppointmentType
from clinic.diary.waiting_list import services as waiting_services
from tests.clinic.diary_helpers import at
from tests.factories import PatientFactory, TreatmentSessionFactory

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
