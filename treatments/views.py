"""Practitioner pages: vials, treatment sessions with live safety findings, signing,
addenda, follow-up tasks, outcome measures and the lot lookup. Thin: access, form, one
service/selector."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.audit import audited, has_param, patient_from_url, patient_of
from clinic.csv_export import csv_response
from clinic.idempotency import FIELD as SUBMISSION_TOKEN
from clinic.idempotency import submit_once
from clinic.permissions import require_perm
from patients.selectors import patient_get_for_user
from treatments import safety, selectors, services
from treatments.forms import (
    AddendumForm,
    CompleteTaskForm,
    DiscardForm,
    FollowUpForm,
    OutcomeAssessmentForm,
    PhonedSideEffectForm,
    PointFormSet,
    ReconstituteForm,
    SessionForm,
    SessionStartForm,
    SideEffectDecisionForm,
    SideEffectForm,
    SiteChoices,
    VialReceiveForm,
)

OVERRIDE_PREFIX = "override__"


def _without_token(cleaned_data) -> dict:
    """A create form's fields for its service, without the one-time submission token."""
    return {name: value for name, value in cleaned_data.items() if name != SUBMISSION_TOKEN}


def _override_reasons(data) -> dict[str, str]:
    """Reasons typed against OVERRIDE findings, keyed by finding code."""
    return {
        key[len(OVERRIDE_PREFIX) :]: value
        for key, value in data.items()
        if key.startswith(OVERRIDE_PREFIX)
    }


# Vials ----------------------------------------------------------------------------------


@require_perm("treatments.view_vial")
def vial_list(request):
    show = request.GET.get("show", "open")
    vials = selectors.vial_list()
    if show == "open":
        vials = vials.filter(discarded_at__isnull=True)
    elif show != "all":
        show = "open"
    vials = vials.order_by("discarded_at", "expiry", "id")[:300]
    return render(request, "treatments/vial_list.html", {"vials": vials, "show": show})


@require_perm("treatments.add_vial")
def vial_receive(request):
    form = VialReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = _without_token(form.cleaned_data)

        def receive() -> str:
            vial = services.vial_receive(received_by=request.user, **fields)
            messages.success(request, f"Received {vial}.")
            return reverse("treatments:vial_detail", kwargs={"pk": vial.pk})

        try:
            outcome = submit_once(request, form, receive)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(request, "treatments/vial_receive.html", {"form": form})


@require_perm("treatments.view_vial")
@audited("vial.view")
def vial_detail(request, pk):
    vial = selectors.vial_get(pk=pk)
    can_see_sessions = request.user.has_perm("treatments.view_treatmentsession")
    context = {
        "vial": vial,
        "remaining": vial.presentation_units - vial.drawn_units - vial.wasted_units,
        "sessions": selectors.vial_sessions(vial=vial) if can_see_sessions else None,
        "reconstitute_form": ReconstituteForm(),
        "now": timezone.now(),
        "discard_form": DiscardForm(
            initial={"wasted_units": max(vial.presentation_units - vial.drawn_units, 0)}
        ),
    }
    return render(request, "treatments/vial_detail.html", context)


@require_perm("treatments.change_vial")
@require_POST
def vial_reconstitute(request, pk):
    vial = selectors.vial_get(pk=pk)
    form = ReconstituteForm(request.POST)
    if form.is_valid():
        try:
            vial = services.vial_reconstitute(
                vial=vial,
                diluent_ml=form.cleaned_data["diluent_ml"],
                reconstituted_by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Reconstituted: {vial.units_per_0_1_ml} U per 0.1 mL"
                + (
                    f", use by {timezone.localtime(vial.use_by):%d/%m/%Y %H:%M}."
                    if vial.use_by
                    else "."
                ),
            )
    else:
        messages.error(request, "Enter the diluent volume in mL (e.g. 2).")
    return redirect("treatments:vial_detail", pk=vial.pk)


@require_perm("treatments.change_vial")
@require_POST
def vial_discard(request, pk):
    vial = selectors.vial_get(pk=pk)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            services.vial_discard(vial=vial, discarded_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Vial discarded and waste recorded.")
    else:
        messages.error(request, "Give a reason and the units wasted.")
    return redirect("treatments:vial_detail", pk=vial.pk)


@require_perm("treatments.lookup_lot")
@audited("lot.lookup", when=has_param("lot"))
def lot_lookup(request):
    lot = (request.GET.get("lot") or "").strip()[:40]
    sessions = selectors.lot_exposure(lot=lot) if lot else None
    return render(request, "treatments/lot_lookup.html", {"lot": lot, "sessions": sessions})


# Sessions -------------------------------------------------------------------------------


@require_perm("treatments.add_treatmentsession")
@audited("session.new", patient=patient_from_url(), when=lambda request: not request.htmx)
def session_new(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    form = SessionStartForm(request.POST or None, initial=request.GET)
    if request.htmx and request.method == "GET":
        # The indication changed: show each product as licensed or off-label for it.
        return render(
            request,
            "treatments/session_start.html#products",
            {
                "form": form,
                "choices": selectors.product_choices_for(
                    indication_id=request.GET.get("indication")
                ),
            },
        )
    if request.method == "POST" and form.is_valid():
        indication, product = form.cleaned_data["indication"], form.cleaned_data["product"]
        template = selectors.site_template_for(indication=indication, product=product)

        def start() -> str:
            session = services.session_start(
                patient=patient,
                practitioner=request.user,
                indication=indication,
                product=product,
                template=template,
            )
            if template:
                messages.info(
                    request,
                    f"Injection points filled in from “{template.name}”. "
                    "Adjust them to what you give.",
                )
            return reverse("treatments:session_edit", kwargs={"public_id": session.public_id})

        try:
            outcome = submit_once(request, form, start)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    indication_id = form.data.get("indication") if form.is_bound else request.GET.get("indication")
    return render(
        request,
        "treatments/session_start.html",
        {
            "patient": patient,
            "form": form,
            "choices": selectors.product_choices_for(indication_id=indication_id),
        },
    )


def _edit_context(request, session, form, formset, refused=None):
    if formset.is_bound:
        points = _point_facts(formset)
    else:
        points = selectors.point_facts_from_points(selectors.session_points(session=session))
    fields = _safety_fields(form)
    inputs = selectors.safety_inputs(
        patient=session.patient,
        indication=session.indication,
        product=session.product,
        # A vial choice that failed validation counts as no vial, never the saved one.
        vial=fields.pop("vial", None),
        second_vial=fields.pop("second_vial", None),
        points=points,
        performed_at=fields.pop("performed_at", session.performed_at),
        fields=fields,
        session_id=session.pk,
    )
    findings = inputs.evaluate()
    reasons = _override_reasons(request.POST)
    return {
        "session": session,
        "patient": session.patient,
        "form": form,
        "formset": formset,
        "findings": findings,
        "reasons": reasons,
        "totals": selectors.point_totals(points),
        "off_label": safety.is_off_label(inputs.session),
        "refused": refused,
        "acknowledged": request.POST.get("acknowledge") == "on",
        "missing_reasons": {f.code for f in refused.missing_reasons} if refused else set(),
        "has_warnings": any(f.level == safety.Level.WARN for f in findings),
    }


def _point_facts(formset) -> list[safety.PointFacts]:
    """Rows that validate, for totals and findings while the form is being filled."""
    facts = []
    for form in formset.forms:
        if not form.is_valid():
            continue
        data = form.cleaned_data
        if not data or data.get("DELETE") or not data.get("site"):
            continue
        site = data["site"]
        facts.append(
            safety.PointFacts(
                site_slug=site.slug,
                site_name=site.name,
                muscle_group=site.muscle_group,
                side=data["side"],
                units=data["units"],
                volume_ml=data.get("volume_ml"),
                points=data.get("points") or 1,
            )
        )
    return facts


def _safety_fields(form) -> dict:
    if form.is_bound:
        form.is_valid()
        values = dict(getattr(form, "cleaned_data", {}))
    else:
        values = {
            name: form.initial.get(name, getattr(form.instance, name, None)) for name in form.fields
        }
        values["vial"] = form.instance.vial
        values["second_vial"] = form.instance.second_vial
    values.pop("version", None)
    values.pop("notes", None)
    return values


def _forms(request, session, data=None):
    usable = selectors.vial_list_usable(product=session.product, patient=session.patient)
    sites = SiteChoices.load()
    shape = selectors.session_form_context(session=session)  # off-label? child?
    if data is not None:
        form = SessionForm(data, instance=session, usable_vials=usable, **shape)
        formset = PointFormSet(data, prefix="points", sites=sites)
    else:
        form = SessionForm(
            instance=session, usable_vials=usable, initial={"version": session.version}, **shape
        )
        initial = [
            {
                "site": p.site,
                "side": p.side,
                "units": p.units,
                "volume_ml": p.volume_ml,
                "points": p.points,
            }
            for p in selectors.session_points(session=session)
        ]
        formset = PointFormSet(initial=initial, prefix="points", sites=sites)
    return form, formset


@require_perm("treatments.change_treatmentsession")
@audited("session.edit", patient=patient_of("treatments.TreatmentSession"))
def session_edit(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    if session.is_signed:
        messages.info(request, "This session is signed. Corrections are made by addendum.")
        return redirect("treatments:session_detail", public_id=session.public_id)
    if session.practitioner_id != request.user.pk:
        raise PermissionDenied("Only the treating practitioner edits a draft.")
    if request.method != "POST":
        form, formset = _forms(request, session)
        return render(
            request, "treatments/session_edit.html", _edit_context(request, session, form, formset)
        )
    form, formset = _forms(request, session, request.POST)
    refused = None
    if form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        expected_version = fields.pop("version")
        points = [
            {key: f.cleaned_data[key] for key in ("site", "side", "units", "volume_ml", "points")}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            session = services.session_save_draft(
                session=session,
                saved_by=request.user,
                expected_version=expected_version,
                fields=fields,
                points=points,
            )
        except services.SessionConflict:
            messages.error(
                request,
                "This draft was saved elsewhere (another tab?) since you "
                "opened it. Your entries are below; reload to compare.",
            )
        else:
            if request.POST.get("action") != "sign":
                messages.success(request, "Draft saved.")
                return redirect("treatments:session_edit", public_id=session.public_id)
            reasons = _override_reasons(request.POST)
            try:
                services.session_sign(
                    session=session,
                    signed_by=request.user,
                    override_reasons=reasons,
                    acknowledge_warnings=request.POST.get("acknowledge") == "on",
                )
            except services.SigningRefused as exc:
                refused = exc
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "Session signed.")
                return redirect("treatments:session_detail", public_id=session.public_id)
            data = request.POST.copy()
            data["version"] = session.version
            form, formset = _forms(request, session, data)
    return render(
        request,
        "treatments/session_edit.html",
        _edit_context(request, session, form, formset, refused=refused),
    )


@require_perm("treatments.change_treatmentsession")
@require_POST
def session_check(request, public_id):
    """Live findings and totals while the form is filled (htmx); nothing is saved."""
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    form, formset = _forms(request, session, request.POST)
    return render(
        request,
        "treatments/session_edit.html#safety",
        _edit_context(request, session, form, formset),
    )


@require_perm("treatments.view_treatmentsession")
@audited("session.view", patient=patient_of("treatments.TreatmentSession"))
def session_detail(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    related = selectors.session_detail_related(session=session)
    points = selectors.point_facts_from_points(related["points"])
    return render(
        request,
        "treatments/session_detail.html",
        {
            "session": session,
            "patient": session.patient,
            "session_vials": [v for v in (session.vial, session.second_vial) if v],
            **related,
            "totals": selectors.point_totals(points),
            "addendum_form": AddendumForm(),
        },
    )


@require_perm("treatments.add_sessionaddendum")
@require_POST
def session_addendum(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.session_add_addendum(session=session, author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Addendum added. The signed record is unchanged.")
    else:
        messages.error(request, "An addendum needs a reason and the correction.")
    return redirect("treatments:session_detail", public_id=session.public_id)


# Follow-up tasks ------------------------------------------------------------------------


@require_perm("treatments.view_followup")
@audited("task.list")
def task_list(request):
    mine = request.GET.get("who") != "all"
    tasks = selectors.followup_list_open(user=request.user if mine else None)
    return render(
        request,
        "treatments/task_list.html",
        {"tasks": tasks, "mine": mine, "today": selectors.today()},
    )


@require_perm("treatments.add_followup")
@audited("task.new", patient=patient_from_url())
def task_new(request, public_id):
    patient = patient_get_for_user(user=request.user, public_id=public_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = _without_token(form.cleaned_data)

        def create() -> str:
            services.followup_create(
                patient=patient, created_by=request.user, assigned_to=request.user, **fields
            )
            messages.success(request, "Task added.")
            return patient.get_absolute_url()

        outcome = submit_once(request, form, create)
        if outcome is not None:
            return redirect(outcome.url)
    return render(request, "treatments/task_form.html", {"patient": patient, "form": form})


@require_perm("treatments.change_followup")
@require_POST
def task_done(request, pk):
    task = selectors.followup_get(pk=pk)
    form = CompleteTaskForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.followup_complete(task=task, done_by=request.user, note=note)
    messages.success(request, f"Done: {task.title} ({task.patient.full_name}).")
    target = request.POST.get("next", "")
    # Only a path on this site: anything else (a URL elsewhere, or text redirect() would
    # read as a view name) goes back to the task list.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("treatments:tasks")
    return redirect(target)


# Outcomes -------------------------------------------------------------------------------


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
        try:
            assessment = services.outcome_record(
                patient=patient, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Recorded {assessment}.")
            return redirect("treatments:outcomes", public_id=patient.public_id)
    return render(request, "treatments/outcome_form.html", {"patient": patient, "form": form})


# Side effects ---------------------------------------------------------------------------


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
        initial={
            "session": selectors.side_effect_suggested_session(
                patient=patient, onset_date=timezone.localdate()
            ),
            "reporter": "clinician",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            side_effect = services.side_effect_record(
                patient=patient, recorded_by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Recorded {side_effect.reaction}.")
            return redirect(side_effect)
    return render(
        request,
        "treatments/side_effect_form.html",
        {**_patient_side_effect_context(patient), "form": form, "side_effect": None},
    )


def _side_effect_phoned(request, patient):
    form = PhonedSideEffectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = _without_token(form.cleaned_data)

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
    side_effect = selectors.side_effect_get(public_id=public_id)
    patient = side_effect.patient
    return render(
        request,
        "treatments/side_effect_detail.html",
        {
            **_patient_side_effect_context(patient),
            "side_effect": side_effect,
            "reasons": selectors.yellow_card_reasons(side_effect=side_effect),
            "decision_form": SideEffectDecisionForm(initial={"version": side_effect.version}),
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
                expected_version=form.cleaned_data["version"] or 0,
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


@require_perm("treatments.review_sideeffect")
@require_POST
def side_effect_decision(request, public_id):
    side_effect = selectors.side_effect_get(public_id=public_id)
    form = SideEffectDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.side_effect_decide(
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
        else:
            messages.success(request, "Yellow Card decision recorded.")
    else:
        messages.error(request, "Choose reported or not reported.")
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
    return render(
        request,
        "treatments/side_effect_serious.html",
        {"side_effects": selectors.side_effect_serious_list()},
    )
