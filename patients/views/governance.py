"""Record governance (issue 6): who viewed the record, subject access requests and their
copies (JSON by the worker, printable)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinic.audit import ACTIONS, access_events_for_patient, audited, patient_from_url
from clinic.background import private_storage
from clinic.csv_export import csv_response
from clinic.idempotency import OnceForm, submit_once, without_token
from clinic.listing import paginate
from clinic.permissions import require_perm
from patients import selectors, services, tasks
from patients.choices import SubjectAccessCopyKind
from patients.forms import (
    AccessLogFilterForm,
    EditSubjectAccessRequestForm,
    NewSubjectAccessRequestForm,
)
from patients.models import SubjectAccessCopy, SubjectAccessRequest
from patients.record_export import patient_subject_access_copy
from patients.tables import AccessEventTable

# A JSON subject-access copy not written within this time is not "being prepared" any more
# (the worker gave up: /jobs/failed/; or a copy made before issue 12.2).
JSON_COPY_PENDING_FOR = timedelta(hours=1)


ACCESS_LOG_PAGE_SIZE = 50

IDENTITY_NOT_VERIFIED = (
    "Record the date the requester's identity was verified before producing the copy."
)


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
            ("Page", lambda e: e.page),
            ("IP address", lambda e: e.ip_address or ""),
        ],
        filename=filename,
    )


@require_perm("patients.view_subjectaccessrequest")
@audited("patient.sar", patient=patient_from_url())
def subject_access_list(request, public_id):
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    can_add = request.user.has_perm("patients.add_subjectaccessrequest")
    form = NewSubjectAccessRequestForm(initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        form = NewSubjectAccessRequestForm(request.POST)
        if form.is_valid():
            data = without_token(form.cleaned_data)
            list_url = reverse("patients:subject_access", kwargs={"public_id": patient.public_id})

            def record() -> str:
                sar = services.subject_access_request_record(
                    patient=patient, recorded_by=request.user, **data
                )
                messages.success(request, f"Request logged. Due by {sar.due_on:%d/%m/%Y}.")
                return list_url

            try:  # once per form: sent twice, it logs one request
                outcome = submit_once(request, form, record, result_url=list_url)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if outcome is not None:
                    return redirect(outcome.url)
    requests = selectors.subject_access_requests_for_patient(patient=patient, with_copies=True)
    storage, recent = private_storage(), timezone.now() - JSON_COPY_PENDING_FOR
    for sar in requests:  # issue 12.2: which JSON copies the worker has written
        # Each copy's button its own one-time token (a shared one would replay the other).
        # A copy's button (the JSON file, the readable copy): its one-time token alone.
        sar.copy_form, sar.print_form = OnceForm(), OnceForm()
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
    conflict = None
    if request.method == "POST":
        form = EditSubjectAccessRequestForm(request.POST, instance=sar)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected_version = data.pop("version")
            try:
                services.subject_access_request_update(
                    sar=sar,
                    updated_by=request.user,
                    expected_version=expected_version,
                    **data,
                )
            except services.EditConflict as exc:
                # Someone saved the request since this page was opened: nothing written.
                # The form again, as "saved now + this manager's own changes", at the new
                # version, so saving again keeps both people's work.
                sar = exc.current
                conflict = selectors.patient_edit_conflict(
                    current=sar,
                    submitted=data,
                    expected_version=expected_version,
                    show_nhs_number=True,
                )
                form = EditSubjectAccessRequestForm(
                    instance=sar, initial={**conflict.merged, "version": sar.version}
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Request updated.")
                return redirect("patients:subject_access", public_id=patient.public_id)
        if conflict is None:  # the form changed the instance: the page shows it as saved
            sar.refresh_from_db()
    else:
        form = EditSubjectAccessRequestForm(instance=sar, initial={"version": sar.version})
    return render(
        request,
        "patients/subject_access_edit.html",
        {"patient": patient, "sar": sar, "form": form, "conflict": conflict},
    )


def _copy_once(request, public_id, pk, *, kind: str, made=None):
    """A copy's button (POST, with its one-time token) for a request on file whose identity
    check is recorded (404 for no such request, 403 before the check): the copy is
    entered in the disclosure record once per token, `made(copy)` runs in the same
    transaction, and the access event is written only when this request made the copy (a
    replayed or mangled button made nothing). Returns the patient, the requests page's
    address and whether a copy was made; a refusal is said there."""
    patient = selectors.patient_get_for_user(user=request.user, public_id=public_id)
    sar = get_object_or_404(SubjectAccessRequest, patient=patient, pk=pk)
    list_url = reverse("patients:subject_access", kwargs={"public_id": patient.public_id})
    form = OnceForm(request.POST)
    request.audit_skip = True
    form.is_valid()  # the token alone: an unreadable one is refused by submit_once

    def record() -> str:
        copy = services.subject_access_copy_record(sar=sar, produced_by=request.user, kind=kind)
        request.audit_skip = False
        if made is not None:
            made(copy)
        return list_url

    try:
        outcome = submit_once(request, form, record, result_url=list_url)
    except services.IdentityNotVerified:
        raise PermissionDenied(IDENTITY_NOT_VERIFIED) from None
    if outcome is None:  # a busy database, or a token unreadable or not this user's
        for error in form.non_field_errors():
            messages.error(request, error)
    return patient, list_url, outcome is not None and not outcome.replayed


@require_perm("patients.export_patient_record")
@audited("patient.sar_export", patient=patient_from_url())
@require_POST
def subject_access_export_json(request, public_id, pk):
    """Every record held about the patient, as one JSON file, for one verified request:
    recorded here, written by the background worker (patients.tasks, issue 12.2), then
    offered for download under the request on the subject-access page.

    A form's button (POST), never a link: each copy is entered in the disclosure record
    and writes the whole record to disk, so a prefetching browser or a reload must not
    make one; and its one-time token makes one copy of a double-click."""

    def queue(copy) -> None:
        transaction.on_commit(lambda: tasks.prepare_subject_access_json.enqueue(copy.pk))
        messages.info(
            request,
            "The JSON copy is being prepared. Refresh this page in a moment to download it.",
        )

    _, list_url, _ = _copy_once(request, public_id, pk, kind=SubjectAccessCopyKind.JSON, made=queue)
    return redirect(list_url)


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
@require_POST
def subject_access_export_print(request, public_id, pk):
    """The same copy as a readable page, laid out for printing or saving as PDF.

    A form's button (POST), never a link, as the JSON copy: each copy is entered in the
    disclosure record, so a link preview, a prefetch or a reload must not make one; its
    one-time token makes one copy of a double-click (the second click is sent back to the
    requests page, which lists the copy made). The page is the POST's answer: the copy is
    built as it is made, and nothing shows it again without making another."""
    patient, list_url, made = _copy_once(request, public_id, pk, kind=SubjectAccessCopyKind.PRINT)
    if not made:
        return redirect(list_url)
    copy = patient_subject_access_copy(patient=patient)
    return render(request, "patients/subject_access_print.html", {"patient": patient, "copy": copy})
