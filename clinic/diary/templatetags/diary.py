"""The diary on pages of the apps below it (the patient page), without those apps
importing the diary: `{% load diary %}{% upcoming_appointments patient %}`."""

import uuid

from django import template
from django.utils.html import format_html

from clinic.diary.selectors import appointments_for_patient
from clinic.idempotency import FIELD

register = template.Library()


@register.inclusion_tag("diary/includes/patient_appointments.html", takes_context=True)
def upcoming_appointments(context, patient):
    """The patient's next appointments and a Book button, for those who may see them
    (one query)."""
    perms = context.get("perms")
    allowed = bool(perms and perms["diary"]["view_appointment"])
    return {
        "patient": patient,
        "allowed": allowed,
        "can_book": bool(perms and perms["diary"]["add_appointment"]),
        "appointments": appointments_for_patient(patient=patient, limit=5) if allowed else [],
    }


@register.inclusion_tag("diary/includes/patient_messages.html", takes_context=True)
def patient_messages(context, patient):
    """The messages sent, failed or skipped for the patient (issue 15.5), for those who
    may see them (one query)."""
    from clinic.diary.messaging.selectors import messages_for_patient

    perms = context.get("perms")
    allowed = bool(perms and perms["diary"]["view_patientmessage"])
    return {
        "patient": patient,
        "allowed": allowed,
        "can_see_outbox": bool(perms and perms["diary"]["view_outbox"]),
        "messages": messages_for_patient(patient=patient) if allowed else [],
    }


@register.inclusion_tag("diary/includes/session_aftercare.html", takes_context=True)
def aftercare_advice(context, session):
    """On a signed session: "Send aftercare advice" (rule 40), for those who may send it.
    No query: what was sent shows on the patient's page and in the outbox."""
    perms = context.get("perms")
    allowed = bool(perms and perms["diary"]["send_aftercare"]) and session.is_signed
    return {"session": session, "allowed": allowed, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def submission_token():
    """A fresh one-time token for a button's form (one per form on the page: two buttons
    sharing a token would replay the first one's result):
    `<form ...>{% csrf_token %}{% submission_token %}...`."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
