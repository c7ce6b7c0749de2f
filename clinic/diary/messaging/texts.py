"""What each kind of message says, and the unsubscribe link of recall messages.

Texts name no treatment, indication or clinical detail: an SMS shows on a locked phone
and an email may be read by others. A reminder says it is a reminder (rule 37: service
messages say what they are); a recall message, the marketing-like kind, ends with an
unsubscribe link for its channel (rule 37, PECR); the aftercare advice carries the rule
40 safety-net sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from clinic.diary.messaging.choices import MessageChannel

UNSUBSCRIBE_SALT = "diary.unsubscribe"

# DOMAIN §10 rule 40 (S89: the product information's boxed warning on distant spread;
# S56: MHRA advice): the sentence every aftercare message carries, as the session records
# it (treatments' spread_advice_given and the rule's finding say the same).
SAFETY_NET = (
    "Seek urgent medical care (call 999 or go to A&E) if you have any difficulty "
    "swallowing, speaking or breathing in the 4 weeks after your injection."
)
AFTERCARE_SOURCE = "DOMAIN §10 rule 40; S89; S56"


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def unsubscribe_token(*, patient, channel: str) -> str:
    """Signed, never expiring (a link in an old message still works), naming the patient
    only by the public id, which the page never shows."""
    return signing.dumps({"p": str(patient.public_id), "c": channel}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """(patient public id, channel), or None for a token that is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in MessageChannel.values:
        return None
    return str(data.get("p", "")), data["c"]


def unsubscribe_url(*, patient, channel: str) -> str:
    token = unsubscribe_token(patient=patient, channel=channel)
    path = reverse("diary:unsubscribe", kwargs={"token": token})
    return f"{settings.CLINIC_BASE_URL}{path}"


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A %d %B %Y} at {local:%H:%M}"


def _practitioner(user) -> str:
    return user.get_full_name() or "your practitioner"


def reminder(*, appointment, channel: str) -> Text:
    clinic = settings.CLINIC_NAME
    body = (
        f"Appointment reminder from {clinic}: your appointment with "
        f"{_practitioner(appointment.practitioner)} is on {_when(appointment.starts_at)}, "
        f"{settings.CLINIC_ADDRESS}. To change or cancel it, call {settings.CLINIC_PHONE}."
    )
    if channel == MessageChannel.EMAIL:
        body += (
            "\n\nThis is a service message about an appointment you booked; you receive it "
            "because you agreed to appointment reminders by email."
        )
    return Text(subject=f"Appointment reminder from {clinic}", body=body)


def recall(*, patient, channel: str) -> Text:
    clinic = settings.CLINIC_NAME
    link = unsubscribe_url(patient=patient, channel=channel)
    body = (
        f"{clinic}: our records show you may now be due for a follow-up appointment. "
        f"To book, call {settings.CLINIC_PHONE}."
    )
    if channel == MessageChannel.SMS:
        body += f" Stop these texts: {link}"
    else:
        body += (
            f"\n\nYou receive this because you agreed to hear from us by email when "
            f"treatment is due and about clinic news. "
            f"To stop these emails, unsubscribe here: {link}"
        )
    return Text(subject=f"Time for your follow-up at {clinic}?", body=body)


def aftercare(*, session, channel: str) -> Text:
    clinic = settings.CLINIC_NAME
    treated = timezone.localtime(session.performed_at)
    body = (
        f"Aftercare advice from {clinic} after your treatment on {treated:%d/%m/%Y}. "
        f"{SAFETY_NET} For any other concern call us on {settings.CLINIC_PHONE}."
    )
    if channel == MessageChannel.EMAIL:
        body += (
            "\n\nFor the next few hours: do not rub or massage the treated area, and avoid "
            "lying flat, strenuous exercise, saunas and alcohol for the rest of the day. "
            "The effect starts over 2 to 14 days."
        )
    return Text(subject=f"Aftercare advice from {clinic}", body=body)


def waiting_list_offer(*, entry, appointment, channel: str) -> Text:
    clinic = settings.CLINIC_NAME
    body = (
        f"{clinic}: an earlier appointment has come free with "
        f"{_practitioner(appointment.practitioner)} on {_when(appointment.starts_at)}. "
        f"If you would like it, call {settings.CLINIC_PHONE}."
    )
    return Text(subject=f"An earlier appointment at {clinic}", body=body)
