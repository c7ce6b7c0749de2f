"""The patient banner's screening line for clinical roles (issue 13.18): allergies and
contraindications from the latest reviewed questionnaire, on every page that shows the
banner (patient page, session editor, side effects ...), for one query, or none where the
view has read the questionnaires already and passes `screening_banner`."""

from django import template

from patients.selectors import questionnaire_banner

register = template.Library()

# Who reads the questionnaire's answers (DOMAIN §7.3): practitioners; reception enters the
# form but does not read it back, managers see no clinical record.
READS_SCREENING = "patients.view_intakequestionnaire"


@register.inclusion_tag("patients/includes/banner_screening.html", takes_context=True)
def screening_banner(context, patient):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(READS_SCREENING):
        return {"screening": None}
    # The patient page and the questionnaire list read the questionnaires anyway and pass
    # the line built from them (patients.views); other pages read it here, in one query.
    screening = context.get("screening_banner") or questionnaire_banner(patient=patient)
    return {"screening": screening, "patient": patient}
