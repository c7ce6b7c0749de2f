"""The medical questionnaire: its answers over time, a new one, a practitioner's review."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.audit import audited, patient_from_url, record_access
from clinic.idempotency import submit_once, without_token
from clinic.permissions import require_perm
from patients import selectors, services
from patients.forms import (
    PriorTreatmentForm,
    PriorTreatmentFormSet,
    QuestionnaireForm,
    ReviewForm,
)

# The questionnaire page says "Registered ... as K000123" when the registration leads to
# it (?registered=1), rather than through a message kept in the session: that cost a
# session write on the POST and another on the page that showed it (issue 14.3).
REGISTERED = "registered"


def questionnaire_after_registering(public_id) -> str:
    url = reverse("patients:questionnaire_new", kwargs={"public_id": public_id})
    return f"{url}?{REGISTERED}=1"


@require_perm("patients.view_intakequestionnaire")
@audited("questionnaire.view", patient=patient_from_url())
def questionnaire_list(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    return _questionnaire_list_page(request, patient)


def _questionnaire_list_page(request, patient, *, review_kept=None):
    """The questionnaires page; `review_kept`: a review that was not saved (the
    questionnaire's pk, the note as typed, and whether it can still be sent), shown
    again under its questionnaire."""
    questionnaires = selectors.questionnaire_list_for_patient(patient=patient)
    return render(
        request,
        "patients/questionnaire_list.html",
        {
            "patient": patient,
            "questionnaires": questionnaires,
            "review_form": ReviewForm(),
            "review_kept": review_kept,
            "screening_banner": selectors.questionnaire_banner_from(questionnaires),
        },
    )


@require_perm("patients.add_intakequestionnaire")
@audited("questionnaire.new", patient=patient_from_url())
def questionnaire_new(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    can_read = request.user.has_perm("patients.view_intakequestionnaire")
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, patient=patient)
        formset = PriorTreatmentFormSet(
            request.POST, prefix="prior", form_kwargs={"patient": patient}
        )
        if form.is_valid() and formset.is_valid():
            prior = [
                {name: f.cleaned_data[name] for name in PriorTreatmentForm.Meta.fields}
                for f in formset.forms
                if f.has_changed()
            ]
            if form.cleaned_data["toxin_in_last_4_months"] and not prior:
                form.add_error(
                    "toxin_in_last_4_months",
                    "Add the toxin treatment below (date and product; dose if known).",
                )
            else:
                answers = without_token(form.cleaned_data)

                def submit() -> str:
                    services.questionnaire_submit(
                        patient=patient,
                        entered_by=request.user,
                        answers=answers,
                        prior_treatments=prior,
                    )
                    messages.success(request, "Questionnaire saved. A practitioner will review it.")
                    if can_read:
                        return reverse(
                            "patients:questionnaires", kwargs={"public_id": patient.public_id}
                        )
                    return patient.get_absolute_url()

                outcome = submit_once(request, form, submit)
                if outcome is not None:
                    return redirect(outcome.url)
    else:
        # Only clinical roles see earlier answers; reception always starts blank.
        initial = selectors.questionnaire_initial_from_latest(patient=patient) if can_read else {}
        form = QuestionnaireForm(initial=initial, patient=patient)
        formset = PriorTreatmentFormSet(prefix="prior", form_kwargs={"patient": patient})
        if request.GET.get(REGISTERED) == "1":  # shown by this page at once: no session write
            messages.success(
                request,
                f"Registered {patient.full_name} as {patient.record_number}. "
                "Now enter their medical questionnaire (or skip for now).",
            )
    return render(
        request,
        "patients/questionnaire_form.html",
        {"patient": patient, "form": form, "formset": formset},
    )


@require_perm("patients.review_intakequestionnaire")
def questionnaire_review(request, public_id, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    questionnaire = selectors.questionnaire_get_for_patient(patient=patient, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():  # a note over 500 characters: kept, to shorten
        messages.error(
            request,
            "Not saved: the review note is longer than 500 characters. "
            "Please shorten it (your note is below) and mark it reviewed again.",
        )
        return _review_not_saved(request, patient, questionnaire, form.data.get("note", ""))
    note = form.cleaned_data["note"]
    try:
        services.questionnaire_mark_reviewed(
            questionnaire=questionnaire, reviewed_by=request.user, note=note
        )
    except services.AlreadyReviewed as already:
        current = already.current
        who = current.reviewed_by.get_full_name() or current.reviewed_by.get_username()
        when = timezone.localtime(current.reviewed_at)
        messages.error(
            request,
            f"Not saved: {who} had already marked the questionnaire of "
            f"{questionnaire.completed_on:%d/%m/%Y} as reviewed, at {when:%H:%M} on "
            f"{when:%d/%m/%Y}. "
            + (
                f"Your note is below it: copy it to where the team will see it, or tell {who}."
                if note
                else "Nothing more to do."
            ),
        )
        return _review_not_saved(request, patient, questionnaire, note, can_send=False)
    messages.success(
        request, f"Marked the questionnaire of {questionnaire.completed_on:%d/%m/%Y} as reviewed."
    )
    return redirect("patients:questionnaires", public_id=patient.public_id)


def _review_not_saved(request, patient, questionnaire, note: str, *, can_send: bool = True):
    """The questionnaires page again (200), with the reviewer's note as they typed it;
    a view of the questionnaires, so logged as one."""
    response = _questionnaire_list_page(
        request, patient, review_kept={"pk": questionnaire.pk, "note": note, "can_send": can_send}
    )
    record_access(request, action="questionnaire.view", patient=patient)
    return response
