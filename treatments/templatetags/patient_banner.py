"""The patient banner's screening line for clinical roles (issue 13.18): the allergies and
contraindications of the latest reviewed questionnaire and the reactions recorded here
(rule 21: hypersensitivity, and reports awaiting review), on every page that shows the
banner (patient page, session editor, side effects ...). In treatments, not patients:
it reads both apps (docs/architecture.md), as treatments.selectors.patient_banner does.

One query, side by side; none where the page has read both already (the patient page:
`screening_banner` from its questionnaires, `banner_reactions` from the header's side
effects); the reactions alone where it passes only `screening_banner` (the questionnaire
list)."""

from django import template

from treatments import selectors
from treatments.selectors.patient_banner import READS_REACTIONS, READS_SCREENING

register = template.Library()


@register.inclusion_tag("patients/includes/banner_screening.html", takes_context=True)
def screening_banner(context, patient):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(READS_SCREENING):
        return {"screening": None}
    screening = context.get("screening_banner")
    reactions = context.get("banner_reactions") if user.has_perm(READS_REACTIONS) else ()
    if screening is None or reactions is None:
        banner = selectors.patient_banner(
            patient=patient, screening=screening is None, reactions=reactions is None
        )
        if screening is None:
            screening = banner.screening
        if reactions is None:
            reactions = banner.reactions
    return {"screening": screening, "reactions": reactions, "patient": patient}
