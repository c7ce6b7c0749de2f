"""Patient records: list and search, register, view, edit, archive and restore, history."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_from_url
from clinic.idempotency import submit_once, without_token
from clinic.listing import Column, fast_list
from clinic.permissions import require_perm
from patients import selectors, services
from patients.filters import PatientFilterSet
from patients.forms import (
    ArchiveForm,
    EditPatientForm,
    RegisterPatientForm,
    RestoreForm,
)
from patients.tables import patient_rows
from patients.views.questionnaires import questionnaire_after_registering

PAGE_SIZE = 25
# The patient list's columns; the sortable ones are the allow-list of ?sort=.
PATIENT_COLUMNS = [
    Column("record_number", "Record", ("record_number",)),
    Column("name", "Name", ("family_name", "given_names")),
    Column("date_of_birth", "Date of birth", ("date_of_birth",)),
    Column("nhs_number", "NHS number"),
    Column("phone", "Phone"),
    Column("postcode", "Postcode"),
    Column("status", "Status", ("status",)),
]
PATIENT_LIST_EMPTY = "No patients match. Check the spelling, or try a date of birth or phone."
# The home page's search box shows its results in this element (templates/clinic/home.html).
HOME_RESULTS = "home-results"


def _can_see_nhs(request) -> bool:
    return request.user.has_perm("patients.view_nhs_number")


@require_perm("patients.view_patient")
@audited("patient.list")
def patient_list(request):
    filterset = PatientFilterSet(request.GET)
    filterset.is_valid()  # unknown status values are dropped, never passed to the query
    query, status = filterset.query, filterset.status_value
    if query:
        request.audit_action = "patient.search"
    elif request.htmx and request.htmx.target == HOME_RESULTS:
        request.audit_skip = True  # the home page's box emptied: nothing shown
        return HttpResponse("")
    show_nhs = _can_see_nhs(request)
    truncated = False
    results = table = None
    if query:
        # Search as you type: ranked matches in a plain template loop, which renders several
        # times faster than a table object on every keystroke (bench/README.md).
        results = selectors.patient_search(
            user=request.user, query=query, status=status, limit=PAGE_SIZE + 1
        )
        opened = selectors.patient_search_opens(query=query, results=results, user=request.user)
        if opened is not None:
            # A full record number or NHS number names one record: open it. The search is
            # logged against that patient (the detail page then logs its own view).
            request.audit_patient = opened
            if request.htmx:
                return HttpResponse(headers={"HX-Redirect": opened.get_absolute_url()})
            return redirect(opened)
        truncated = len(results) > PAGE_SIZE
        results = results[:PAGE_SIZE]
    else:
        # A plain template loop over one page (clinic.listing, issue 14.2): the same
        # columns, sort links and pages as the django-tables2 table it replaced.
        table = fast_list(
            request,
            selectors.patient_list(status=status),
            columns=[c for c in PATIENT_COLUMNS if show_nhs or c.name != "nhs_number"],
            default_sort="name",
            per_page=PAGE_SIZE,
            empty_text=PATIENT_LIST_EMPTY,
        )
    context = {
        "filter": filterset,
        "table": table,
        "rows": patient_rows(table.rows, show_nhs=show_nhs) if table else "",
        "results": results,
        "show_nhs": show_nhs,
        "query": query,
        "truncated": truncated,
    }
    if request.htmx:
        return render(request, "patients/patient_list.html#results", context)
    return render(request, "patients/patient_list.html", context)


def _shown_duplicates(request) -> bool:
    return getattr(request, "audit_disclosed", False)


def _nhs_number_in_use(form, other) -> None:
    if other is None:  # archived-then-changed meanwhile: the plain message
        form.add_error("nhs_number", "Another patient already has this NHS number.")
        return
    form.add_error(
        "nhs_number",
        format_html(
            'Another patient already has this NHS number: <a href="{}">{}, {}</a>.',
            other.get_absolute_url(),
            other.display_name,
            other.record_number,
        ),
    )


@require_perm("patients.add_patient")
@audited("patient.duplicates", when=_shown_duplicates)
def patient_register(request):
    form = RegisterPatientForm(request.POST or None, show_nhs_number=_can_see_nhs(request))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = without_token(form.cleaned_data)
        confirm = data.pop("confirm_not_duplicate", False)

        # The new record's id chosen here, so the one-time token's claim can store where
        # the form leads before the service runs (one statement fewer, issue 14.3).
        public_id = uuid.uuid4()
        next_url = questionnaire_after_registering(public_id)

        def register() -> str:
            patient = services.patient_register(
                registered_by=request.user,
                confirm_not_duplicate=confirm,
                public_id=public_id,
                savepoint=False,  # submit_once's transaction is rolled back as a whole
                **data,
            )
            return questionnaire_after_registering(patient.public_id)

        if note := form.title_sex_note:
            messages.warning(request, note)
        try:
            outcome = submit_once(request, form, register, result_url=next_url)
        except services.PossibleDuplicate as exc:
            duplicates = exc.matches
            request.audit_disclosed = True  # other patients' details are on the page
        except services.NhsNumberInUse as exc:
            _nhs_number_in_use(form, exc.patient)
            request.audit_disclosed = True
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "duplicates": duplicates, "is_new": True},
    )


@require_perm("patients.view_patient")
@audited("patient.view", patient=patient_from_url())
def patient_detail(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    can_read_clinical = request.user.has_perm("patients.view_intakequestionnaire")
    context = {
        "patient": patient,
        "show_nhs": _can_see_nhs(request),
        "can_read_clinical": can_read_clinical,
        "today": timezone.localdate(),
        "active_tab": "overview",
        # Retention date; subject access requests for managers (issue 6)
        "governance": selectors.patient_governance(patient=patient, user=request.user),
    }
    if can_read_clinical:
        # One read of the questionnaires for the latest one in full and the banner's
        # screening line (its template tag would read them again).
        questionnaires = selectors.questionnaire_list_for_patient(
            patient=patient, prior_treatments_of_latest_only=True
        )
        context["latest"] = questionnaires[0] if questionnaires else None
        context["screening_banner"] = selectors.questionnaire_banner_from(questionnaires)
    else:
        # Reception and managers: that questionnaires exist and their review, not answers.
        context["summary"] = selectors.questionnaire_summary(patient=patient)
    # Treatments, side effects and tasks come from treatments' template tag
    # (treatments/templatetags/patient_page.py): patients does not import treatments.
    return render(request, "patients/patient_detail.html", context)


@require_perm("patients.change_patient")
@audited("patient.edit", patient=patient_from_url())
def patient_edit(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    show_nhs = _can_see_nhs(request)
    conflict = None
    if request.method == "POST":
        form = EditPatientForm(request.POST, instance=patient, show_nhs_number=show_nhs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected_version = data.pop("version")
            try:
                patient = services.patient_update(
                    patient=patient,
                    updated_by=request.user,
                    expected_version=expected_version,
                    **data,
                )
            except services.NhsNumberInUse as exc:
                _nhs_number_in_use(form, exc.patient)
            except services.EditConflict as exc:
                conflict = selectors.patient_edit_conflict(
                    current=exc.current,
                    submitted=data,
                    expected_version=expected_version,
                    show_nhs_number=show_nhs,
                )
                # Rebuild the form as "saved now + this user's own changes", at the new
                # version, so saving again keeps both people's work.
                form = EditPatientForm(
                    instance=exc.current,
                    show_nhs_number=show_nhs,
                    initial={**conflict.merged, "version": exc.current.version},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved changes to {patient.full_name}.")
                if note := form.title_sex_note:
                    messages.warning(request, note)
                return redirect(patient)
    else:
        form = EditPatientForm(
            instance=patient, initial={"version": patient.version}, show_nhs_number=show_nhs
        )
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "patient": patient, "conflict": conflict, "is_new": False},
    )


def _changed_meanwhile(request, patient) -> str:
    """A refused archive or restore: who changed the record since the page was opened,
    how it is now, and that nothing was changed."""
    change = selectors.last_change(patient)
    if change.user is None:
        who = "another user"
    elif change.user.pk == request.user.pk:
        who = "you (in another tab or window)"
    else:
        who = selectors.staff_name(change.user)
    when = ""
    if change.at is not None:
        local = timezone.localtime(change.at)
        when = f" at {local:%H:%M} on {local:%d/%m/%Y}"
    state = "archived" if patient.is_archived else "active"
    return (
        f"This record was changed meanwhile by {who}{when}: it is now {state}. Nothing was "
        "changed: check the record and try again."
    )


@require_perm("patients.archive_patient")
@audited("patient.archive", patient=patient_from_url())
def patient_archive(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    form = ArchiveForm(request.POST or None, initial={"version": patient.version})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            services.patient_archive(
                patient=patient,
                archived_by=request.user,
                reason=reason,
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as exc:
            patient = exc.current
            refusal = _changed_meanwhile(request, patient)
            # The reason typed is kept, at the version now: pressing Archive again is a
            # decision made with the record as it is.
            form = ArchiveForm(initial={"reason": reason, "version": patient.version})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Archived {patient.full_name}. The record is kept.")
            return redirect(patient)
    return render(
        request,
        "patients/patient_archive.html",
        {"patient": patient, "form": form, "refusal": refusal},
    )


@require_perm("patients.archive_patient")
@require_POST
def patient_restore(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal("Nothing was changed: reload the page."))
        return redirect(patient)
    try:
        services.patient_restore(
            patient=patient,
            restored_by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except services.EditConflict as exc:
        messages.warning(request, _changed_meanwhile(request, exc.current))
    else:
        messages.success(request, f"Restored {patient.full_name} to the active list.")
    return redirect(patient)


@require_perm("patients.view_patient_history")
@audited("patient.history", patient=patient_from_url())
def patient_history(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    entries = selectors.patient_history(patient=patient, user=request.user)
    return render(
        request, "patients/patient_history.html", {"patient": patient, "entries": entries}
    )
