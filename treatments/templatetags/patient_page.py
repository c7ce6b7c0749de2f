"""The treatment sections of the patient page, without patients importing treatments
(the floors of docs/architecture.md): `{% treatments_for_patient patient as tx %}`."""

from django import template

from treatments import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def treatments_for_patient(context, patient) -> dict:
    """Open side effects (header) with the banner's recorded reactions (one query: the
    banner's tag reads none again), the treatment timeline and the follow-up tasks, each
    only for those who may read it: one query each, as the view used to run them."""
    user = context["request"].user
    open_side_effects, banner_reactions = (
        selectors.side_effect_header_for_patient(patient=patient)
        if user.has_perm("treatments.view_sideeffect")
        else (None, None)
    )
    tasks = (
        selectors.followup_list_for_patient(patient=patient)
        if user.has_perm("treatments.view_followup")
        else None
    )
    return {
        "open_side_effects": open_side_effects,
        "banner_reactions": banner_reactions,
        "timeline": selectors.patient_timeline(patient=patient)
        if user.has_perm("treatments.view_treatmentsession")
        else None,
        "tasks": tasks,
        # The done ones folded away under the open ones: a patient treated for years has
        # dozens, which pushed the contact details two screens down (browser review).
        "tasks_open": [t for t in tasks if not t.done_at] if tasks is not None else None,
        "tasks_done": [t for t in tasks if t.done_at] if tasks is not None else None,
    }
