"""The diary on pages of the apps below it (the patient page), without those apps
importing the diary: `{% load diary %}{% upcoming_appointments patient %}`."""

from django import template

from clinic.diary.selectors import appointments_for_patient

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
