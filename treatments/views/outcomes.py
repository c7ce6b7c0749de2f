"""Outcome measure pages: a patient's series and a new assessment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.audit import audited, patient_from_url
from clinic.idempotency import submit_once, without_token
from clinic.permissions import require_perm
from patients.selectors import patient_get_for_user
from treatments import selectors, services
from treatments.forms import OutcomeAssessmentForm


@require_perm("treatments.view_outcomeassessment")
@audited("outcome.view", patient=patient_from_url("public_id"))
def outcome_list(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    return render(
        request,
        "treatments/outcome_list.html",
        {
            "patient": patient,
            "series": selectors.outcome_series(patient=patient),
            "open_side_effects": selectors.side_effect_open_for_patient(patient=patient)
            if request.user.has_perm("treatments.view_sideeffect")
            else None,
        },
    )


@require_perm("treatments.add_outcomeassessment")
@audited("outcome.new", patient=patient_from_url())
def outcome_new(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    form = OutcomeAssessmentForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)

        def record() -> str:
            assessment = services.outcome_record(
                patient=patient, recorded_by=request.user, **fields
            )
            messages.success(request, f"Recorded {assessment}.")
            return reverse("treatments:outcomes", kwargs={"public_id": patient.public_id})

        try:
            outcome = submit_once(request, form, record)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(request, "treatments/outcome_form.html", {"patient": patient, "form": form})
