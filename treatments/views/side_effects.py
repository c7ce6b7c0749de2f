"""Side-effect pages: a patient's reports, a new report (reception's phoned form too),
detail, review and regulator decision, the Yellow Card (page and CSV), the review queue
and the serious list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_from_url, patient_of
from clinic.csv_export import csv_response
from clinic.idempotency import submit_once, without_token
from clinic.listing import fast_page
from clinic.permissions import require_perm
from patients.selectors import patient_get_for_user
from treatments import selectors, services
from treatments.forms import PhonedSideEffectForm, SideEffectDecisionForm, SideEffectForm

SERIOUS_PER_PAGE = 100


def _patient_side_effect_context(patient) -> dict:
    """What every patient side-effect page shows around its content: the header's open
    side effects and the active tab."""
    return {
        "patient": patient,
        "open_side_effects": selectors.side_effect_open_for_patient(patient=patient),
        "active_tab": "side-effects",
    }


@require_perm("treatments.view_sideeffect")
@audited("sideeffect.view", patient=patient_from_url("public_id"))
def side_effect_list(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    return render(
        request,
        "treatments/side_effect_list.html",
        {
            **_patient_side_effect_context(patient),
            "side_effects": selectors.side_effect_list_for_patient(patient=patient),
        },
    )


@require_perm("treatments.add_sideeffect")
@audited("sideeffect.new", patient=patient_from_url("public_id"))
def side_effect_new(request, public_id):
    """Practitioners record a side effect in full; reception logs a phoned-in report for a
    practitioner to complete (same address, the form depends on who asks)."""
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    if not request.user.has_perm("treatments.review_sideeffect"):
        return _side_effect_phoned(request, patient)
    form = SideEffectForm(
        request.POST or None,
        patient=patient,
        terms=selectors.side_effect_terms(),
        new=True,
        initial={
            "session": selectors.side_effect_suggested_session(
                patient=patient, onset_date=timezone.localdate()
            ),
            "reporter": "clinician",
        },
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_kwargs()

        def record() -> str:
            side_effect = services.side_effect_record(
                patient=patient, recorded_by=request.user, **fields
            )
            messages.success(request, f"Recorded {side_effect.reaction}.")
            return side_effect.get_absolute_url()

        try:
            outcome = submit_once(request, form, record)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(
        request,
        "treatments/side_effect_form.html",
        {**_patient_side_effect_context(patient), "form": form, "side_effect": None},
    )


def _side_effect_phoned(request, patient):
    form = PhonedSideEffectForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)

        def log_call() -> str:
            services.side_effect_report_phoned(patient=patient, logged_by=request.user, **fields)
            messages.success(
                request,
                f"Logged for a practitioner to review: {patient.full_name}'s report. "
                "If they describe trouble swallowing, speaking or breathing, tell them to "
                "call 999 or go to A&E now.",
            )
            return patient.get_absolute_url()

        try:
            outcome = submit_once(request, form, log_call)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(request, "treatments/side_effect_phoned.html", {"patient": patient, "form": form})


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (or on top when not a field)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_perm("treatments.view_sideeffect")
@audited("sideeffect.view", patient=patient_of("treatments.SideEffect"))
def side_effect_detail(request, public_id):
    return _side_effect_page(request, selectors.side_effect_get(public_id=public_id))


def _side_effect_page(request, side_effect, *, decision_form=None):
    """The side effect's page; after a refused decision, with the decision form as the
    user sent it and its errors (nothing typed is lost)."""
    return render(
        request,
        "treatments/side_effect_detail.html",
        {
            **_patient_side_effect_context(side_effect.patient),
            "side_effect": side_effect,
            "reasons": selectors.yellow_card_reasons(side_effect=side_effect),
            "decision_form": decision_form
            or SideEffectDecisionForm(initial={"version": side_effect.version}),
        },
    )


@require_perm("treatments.review_sideeffect")
@audited("sideeffect.view", patient=patient_of("treatments.SideEffect"))
def side_effect_review(request, public_id):
    side_effect = selectors.side_effect_get(public_id=public_id)
    patient = side_effect.patient
    conflict = None
    initial = SideEffectForm.initial_from(side_effect)
    if not side_effect.session_id and not request.POST:
        initial["session"] = selectors.side_effect_suggested_session(
            patient=patient, onset_date=side_effect.onset_date
        )
    form = SideEffectForm(
        request.POST or None, patient=patient, terms=selectors.side_effect_terms(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            side_effect = services.side_effect_review(
                side_effect=side_effect,
                reviewed_by=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except services.SideEffectConflict as exc:
            conflict = exc.current
            # Keep what this user typed; move them onto the saved version so that saving
            # again is a deliberate choice after reading the other change.
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form = SideEffectForm(data, patient=patient, terms=selectors.side_effect_terms())
            form.is_valid()
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if side_effect.replayed:  # the same form sent twice
                messages.success(request, f"Already saved: the review of {side_effect.reaction}.")
            else:
                messages.success(request, f"Saved the review of {side_effect.reaction}.")
            return redirect(side_effect)
    return render(
        request,
        "treatments/side_effect_form.html",
        {
            **_patient_side_effect_context(patient),
            "form": form,
            "side_effect": side_effect,
            "conflict": conflict,
        },
    )


# A refused decision shows the page again with the form as sent, so this page is audited
# as the side effect's page is.
@require_perm("treatments.review_sideeffect")
@require_POST
@audited("sideeffect.view", patient=patient_of("treatments.SideEffect"))
def side_effect_decision(request, public_id):
    side_effect = selectors.side_effect_get(public_id=public_id)
    form = SideEffectDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal("Choose reported or not reported."))
        if form.is_out_of_date():  # the page sent no version: only a reload helps
            return redirect(side_effect)
        return _side_effect_page(request, side_effect, decision_form=form)
    try:
        decided = services.side_effect_decide(
            side_effect=side_effect,
            decided_by=request.user,
            expected_version=form.cleaned_data["version"],
            decision=form.cleaned_data["regulator_decision"],
            reference=form.cleaned_data["yellow_card_reference"],
            reason=form.cleaned_data["not_reported_reason"],
        )
    except services.SideEffectConflict:
        messages.error(
            request,
            "Someone else changed this report while you were reading it. Nothing was "
            "saved: check the report below and record the decision again.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        _add_errors(form, exc)
        return _side_effect_page(request, side_effect, decision_form=form)
    else:
        if decided.replayed:  # the same form sent twice
            messages.success(request, "Already recorded: the Yellow Card decision.")
        else:
            messages.success(request, "Yellow Card decision recorded.")
    return redirect(side_effect)


@require_perm("treatments.view_sideeffect")
@audited("sideeffect.print", patient=patient_of("treatments.SideEffect"))
def side_effect_yellow_card(request, public_id):
    side_effect = selectors.side_effect_get(public_id=public_id)
    sections = selectors.yellow_card_sections(selectors.yellow_card(side_effect=side_effect))
    return render(
        request,
        "treatments/yellow_card.html",
        {"side_effect": side_effect, "patient": side_effect.patient, "sections": sections},
    )


@require_perm("treatments.view_sideeffect")
@audited("sideeffect.export", patient=patient_of("treatments.SideEffect"))
def side_effect_yellow_card_csv(request, public_id):
    side_effect = selectors.side_effect_get(public_id=public_id)
    name = f"yellow-card-{side_effect.patient.record_number}-{side_effect.onset_date:%Y%m%d}.csv"
    return csv_response(
        selectors.yellow_card(side_effect=side_effect),
        [
            ("Section", lambda f: f.section),
            ("Field", lambda f: f.label),
            ("Value", lambda f: f.value),
        ],
        filename=name,
    )


@require_perm("treatments.view_sideeffect")
@audited("sideeffect.queue")
def side_effect_queue(request):
    return render(
        request,
        "treatments/side_effect_queue.html",
        {"queue": selectors.side_effect_queue(), "today": selectors.today()},
    )


@require_perm("treatments.view_serious_sideeffects")
@audited("sideeffect.serious_list")
def side_effect_serious(request):
    # A page at a time: the list is every serious reaction the clinic has recorded.
    page = fast_page(
        request,
        selectors.side_effect_serious_list(),
        order_by=selectors.SERIOUS_ORDER,
        per_page=SERIOUS_PER_PAGE,
    )
    selectors.side_effect_lots(page.rows)
    return render(request, "treatments/side_effect_serious.html", {"side_effects": page})
