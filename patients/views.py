"""Patient pages: list and search, register, view, edit, archive, history, questionnaire.

Thin views: check access (clinic.permissions), validate a form, call one service or
selector, then redirect with a message or render.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from clinic.audit import ACTIONS, access_events_for_patient, audited, patient_from_url
from clinic.background import private_storage
from clinic.csv_export import csv_response
from clinic.idempotency import FIELD as SUBMISSION_TOKEN
from clinic.idempotency import submit_once
from clinic.listing import Column, fast_list, paginate
from clinic.permissions import require_perm
from patients import selectors, services, tasks
from patients.choices import SubjectAccessCopyKind
from patients.filters import PatientFilterSet
from patients.forms import (
    AccessLogFilterForm,
    ArchiveForm,
    EditPatientForm,
    PriorTreatmentForm,
    PriorTreatmentFormSet,
    QuestionnaireForm,
    RegisterPatientForm,
    ReviewForm,
    SubjectAccessRequestForm,
)
from patients.models import SubjectAccessCopy, SubjectAccessRequest
from patients.record_export import patient_subject_access_copy
from patients.tables import AccessEventTable, patient_rows

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
# A JSON subject-access copy not written within this time is not "being prepared" any more
# (the worker gave up: /jobs/failed/; or a copy made before issue 12.2).
JSON_COPY_PENDING_FOR = timedelta(hours=1)
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


# The questionnaire page says "Registered ... as K000123" when the registration leads to
# it (?registered=1), rather than through a message kept in the session: that cost a
# session write on the POST and another on the page that showed it (issue 14.3).
REGISTERED = "registered"


def _questionnaire_after_registering(public_id) -> str:
    url = reverse("patients:questionnaire_new", kwargs={"public_id": public_id})
    return f"{url}?{REGISTERED}=1"


@require_perm("patients.add_patient")
@audited("patient.duplicates", when=_shown_duplicates)
def patient_register(request):
    form = RegisterPatientForm(request.POST or None, show_nhs_number=_can_see_nhs(request))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirm = data.pop("confirm_not_duplicate", False)
        data.pop(SUBMISSION_TOKEN)

        # The new record's id chosen here, so the one-time token's claim can store where
        # the form leads before the service runs (one statement fewer, issue 14.3).
        public_id = uuid.uuid4()
        next_url = _questionnaire_after_registering(public_id)

        def register() -> str:
            patient = services.patient_register(
                registered_by=request.user,
                confirm_not_duplicate=confirm,
                public_id=public_id,
                **data,
            )
            return _questionnaire_after_registering(patient.public_id)

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


@require_perm("patients.archive_patient")
@audited("patient.archive", patient=patient_from_url())
def patient_archive(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.patient_archive(
            patient=patient, archived_by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Archived {patient.full_name}. The record is kept.")
        return redirect(patient)
    return render(request, "patients/patient_archive.html", {"patient": patient, "form": form})


@require_perm("patients.archive_patient")
@require_POST
def patient_restore(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    services.patient_restore(patient=patient, restored_by=request.user)
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


@require_perm("patients.view_intakequestionnaire")
@audited("questionnaire.view", patient=patient_from_url())
def questionnaire_list(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    questionnaires = selectors.questionnaire_list_for_patient(patient=patient)
    return render(
        request,
        "patients/questionnaire_list.html",
        {
            "patient": patient,
            "questionnaires": questionnaires,
            "review_form": ReviewForm(),
            "screening_banner": selectors.questionnaire_banner_from(questionnaires),
        },
    )


@require_perm("patients.add_intakequestionnaire")
@audited("questionnaire.new", patient=patient_from_url())
def questionnaire_new(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    can_read = request.user.has_perm("patients.view_intakequestionnaire")
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        formset = PriorTreatmentFormSet(request.POST, prefix="prior")
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
                answers = dict(form.cleaned_data)
                answers.pop(SUBMISSION_TOKEN)

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
        form = QuestionnaireForm(initial=initial)
        formset = PriorTreatmentFormSet(prefix="prior")
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
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.questionnaire_mark_reviewed(
        questionnaire=questionnaire, reviewed_by=request.user, note=note
    )
    messages.success(
        request, f"Marked the questionnaire of {questionnaire.completed_on:%d/%m/%Y} as reviewed."
    )
    return redirect("patients:questionnaires", public_id=patient.public_id)


# Record governance (issue 6): who viewed the record, subject access, retention -----------

ACCESS_LOG_PAGE_SIZE = 50


def _access_log_filter(request):
    form = AccessLogFilterForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    return form, since, until


@require_perm("clinic.view_accessevent")
@audited("patient.access_log", patient=patient_from_url())
def patient_access_log(request, public_id):
    """Who viewed this patient between two dates (managers)."""
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    form, since, until = _access_log_filter(request)
    table = AccessEventTable(access_events_for_patient(patient=patient, since=since, until=until))
    paginate(request, table, page_size=ACCESS_LOG_PAGE_SIZE)
    return render(
        request,
        "patients/access_log.html",
        {"patient": patient, "form": form, "table": table, "query": request.GET.urlencode()},
    )


@require_perm("clinic.view_accessevent")
@audited("patient.access_log_export", patient=patient_from_url())
def patient_access_log_csv(request, public_id):
    """The same list as CSV, streamed row by row (a long history never sits in memory)."""
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    _, since, until = _access_log_filter(request)
    events = access_events_for_patient(patient=patient, since=since, until=until)
    filename = f"access-log-{patient.record_number}-{timezone.localdate():%Y%m%d}.csv"
    return csv_response(
        events,
        [
            ("When (UK time)", lambda e: f"{timezone.localtime(e.occurred_at):%d/%m/%Y %H:%M:%S}"),
            ("Staff", lambda e: e.username),
            ("Role", lambda e: e.role),
            ("Action", lambda e: ACTIONS.get(e.action, e.action)),
            ("Page", lambda e: e.path),
            ("IP address", lambda e: e.ip_address or ""),
        ],
        filename=filename,
    )


@require_perm("patients.view_subjectaccessrequest")
@audited("patient.sar", patient=patient_from_url())
def subject_access_list(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    can_add = request.user.has_perm("patients.add_subjectaccessrequest")
    form = SubjectAccessRequestForm(initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        form = SubjectAccessRequestForm(request.POST)
        if form.is_valid():
            try:
                sar = services.subject_access_request_record(
                    patient=patient, recorded_by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Request logged. Due by {sar.due_on:%d/%m/%Y}.")
                return redirect("patients:subject_access", public_id=patient.public_id)
    requests = selectors.subject_access_requests_for_patient(patient=patient, with_copies=True)
    storage, recent = private_storage(), timezone.now() - JSON_COPY_PENDING_FOR
    for sar in requests:  # issue 12.2: which JSON copies the worker has written
        for copy in sar.copies.all():
            copy.json_ready = copy.kind == SubjectAccessCopyKind.JSON and storage.exists(
                tasks.json_copy_path(copy, patient)
            )
            copy.json_pending = (
                copy.kind == SubjectAccessCopyKind.JSON
                and not copy.json_ready
                and copy.produced_at > recent
            )
    return render(
        request,
        "patients/subject_access.html",
        {
            "patient": patient,
            "requests": requests,
            "form": form if can_add else None,
            "today": timezone.localdate(),
        },
    )


@require_perm("patients.change_subjectaccessrequest")
@audited("patient.sar_edit", patient=patient_from_url())
def subject_access_edit(request, public_id, pk):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    sar = get_object_or_404(SubjectAccessRequest, patient=patient, pk=pk)
    form = SubjectAccessRequestForm(request.POST or None, instance=sar)
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_access_request_update(
                sar=SubjectAccessRequest.objects.get(pk=sar.pk),
                updated_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Request updated.")
            return redirect("patients:subject_access", public_id=patient.public_id)
    return render(
        request,
        "patients/subject_access_edit.html",
        {"patient": patient, "sar": sar, "form": form},
    )


def _subject_access_copy_recorded(request, public_id, pk, *, kind: str):
    """The patient and the copy's record (SubjectAccessCopy), against a request on file
    whose identity check is recorded; 404 for no such request, 403 before the check."""
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    sar = get_object_or_404(SubjectAccessRequest, patient=patient, pk=pk)
    try:
        copy = services.subject_access_copy_record(sar=sar, produced_by=request.user, kind=kind)
    except services.IdentityNotVerified:
        raise PermissionDenied(
            "Record the date the requester's identity was verified before producing the copy."
        ) from None
    return patient, copy


def _subject_access_copy_for(request, public_id, pk, *, kind: str):
    """The patient and their copy, built now (the readable copy)."""
    patient, _ = _subject_access_copy_recorded(request, public_id, pk, kind=kind)
    return patient, patient_subject_access_copy(patient=patient)


@require_perm("patients.export_patient_record")
@audited("patient.sar_export", patient=patient_from_url())
def subject_access_export_json(request, public_id, pk):
    """Every record held about the patient, as one JSON file, for one verified request:
    recorded here, written by the background worker (patients.tasks, issue 12.2), then
    offered for download under the request on the subject-access page."""
    patient, copy = _subject_access_copy_recorded(
        request, public_id, pk, kind=SubjectAccessCopyKind.JSON
    )
    transaction.on_commit(lambda: tasks.prepare_subject_access_json.enqueue(copy.pk))
    messages.info(
        request,
        "The JSON copy is being prepared. Refresh this page in a moment to download it.",
    )
    return redirect("patients:subject_access", public_id=patient.public_id)


@require_perm("patients.export_patient_record")
@audited("patient.sar_download", patient=patient_from_url())
@require_safe
def subject_access_json_download(request, public_id, pk, copy):
    """A JSON copy the worker has written (issue 12.2); the requests page until then."""
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    copy = get_object_or_404(
        SubjectAccessCopy,
        pk=copy,
        request__pk=pk,
        request__patient=patient,
        kind=SubjectAccessCopyKind.JSON,
    )
    name = tasks.json_copy_path(copy, patient)
    storage = private_storage()
    if not storage.exists(name):
        return redirect("patients:subject_access", public_id=patient.public_id)
    produced = timezone.localtime(copy.produced_at)
    return FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=f"subject-access-{patient.record_number}-{produced:%Y%m%d}.json",
        content_type="application/json; charset=utf-8",
    )


@require_perm("patients.export_patient_record")
@audited("patient.sar_print", patient=patient_from_url())
def subject_access_export_print(request, public_id, pk):
    """The same copy as a readable page, laid out for printing or saving as PDF."""
    patient, copy = _subject_access_copy_for(
        request, public_id, pk, kind=SubjectAccessCopyKind.PRINT
    )
    return render(request, "patients/subject_access_print.html", {"patient": patient, "copy": copy})
