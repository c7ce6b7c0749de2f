"""The prescriber's face-to-face assessment of a patient (DOMAIN §10 rule 34): the ones
recorded and the form to record one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from clinic.audit import audited, patient_from_url
from clinic.idempotency import submit_once, without_token
from clinic.inputs import local_next
from clinic.permissions import require_perm
from patients.selectors import patient_get_for_user
from treatments import selectors, services
from treatments.forms.prescribing import PrescriberAssessmentForm


@require_perm("treatments.add_prescriberassessment")
@audited("assessment.new", patient=patient_from_url())
def prescriber_assessment_new(request, public_id):
    """`next`: where the form was opened from (the session editor's "Record one"), to go
    back to once recorded, or on Cancel; else the patient's record."""
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    back = local_next(request, patient.get_absolute_url())
    form = PrescriberAssessmentForm(request.POST or None, initial={"prescriber": request.user.pk})
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)

        def record() -> str:
            services.prescriber_assessment_record(
                patient=patient, recorded_by=request.user, **fields
            )
            messages.success(request, "Face-to-face assessment recorded.")
            return back

        try:
            outcome = submit_once(request, form, record)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(
        request,
        "treatments/prescriber_assessment_form.html",
        {
            "patient": patient,
            "form": form,
            "assessments": selectors.prescriber_assessment_list(patient=patient),
            "back": back,
            "next": back if back != patient.get_absolute_url() else "",
        },
    )
