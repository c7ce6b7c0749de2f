"""The waiting list page (reception): who is waiting, add, withdraw, the slots offered
after a cancellation with a "Book this slot" link, and sending the offer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of
from clinic.diary.forms import chosen_patient, with_sole_match
from clinic.diary.waiting_list import selectors, services
from clinic.diary.waiting_list.choices import WaitingStatus
from clinic.diary.waiting_list.forms import WaitingChangeForm, WaitingListForm
from clinic.idempotency import submit_once
from clinic.inputs import record_id
from clinic.permissions import require_perm


@require_perm("diary.view_waitinglistentry")
@audited("diary.waiting_list")
def waiting_list(request):
    form = WaitingListForm(
        with_sole_match(request.POST) or None, initial={"patient": request.GET.get("patient")}
    )
    if request.method == "POST":
        if not request.user.has_perm("diary.add_waitinglistentry"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data

            def add() -> str:
                services.waiting_list_add(
                    patient=data["patient"],
                    appointment_type=data["appointment_type"],
                    practitioner=data["practitioner"],
                    from_date=data["from_date"],
                    time_of_day=data["time_of_day"],
                    weekdays=data["weekdays"],
                    notes=data["notes"],
                    created_by=request.user,
                )
                messages.success(
                    request,
                    f"{data['patient'].full_name} is on the waiting list for "
                    f"{data['appointment_type']}.",
                )
                return reverse("diary:waiting_list")

            try:
                outcome = submit_once(request, form, add)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                if outcome is not None:  # else the form says why (busy, or not this user's)
                    return redirect(outcome.url)
    patient = chosen_patient(form)
    return render(
        request,
        "diary/waiting_list.html",
        {"entries": selectors.waiting_list(), "form": form, "patient": patient},
    )


@require_perm("diary.change_waitinglistentry")
@audited(
    "diary.waiting_list", patient=patient_of("diary.WaitingListEntry", kwarg="pk", lookup="pk")
)
def waiting_list_change(request, pk):
    """From when, at what times and on which days the patient can come, changed in place
    (their place in the queue kept), as the "already on the list" refusal asks."""
    entry = selectors.waiting_entry_get(pk=pk)
    if entry.status not in WaitingStatus.active():
        messages.error(request, f"{entry.patient.full_name} is no longer waiting.")
        return redirect(reverse("diary:waiting_list"))
    form = WaitingChangeForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.waiting_list_change(
                entry=entry,
                shown=data["shown"],
                from_date=data["from_date"],
                time_of_day=data["time_of_day"],
                weekdays=data["weekdays"],
                notes=data["notes"],
            )
        except services.EntryChangedMeanwhile as changed:
            # What they typed stays in the form; the entry as it is now is shown above
            # it, and the next save is made over it knowingly.
            entry = changed.entry
            form.add_error(None, " ".join(changed.messages))
            form.data = form.data.copy()
            form.data["shown"] = entry.as_shown
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{entry.patient.full_name}: {entry.appointment_type} entry changed."
            )
            return redirect(reverse("diary:waiting_list"))
    return render(request, "diary/waiting_list_change.html", {"entry": entry, "form": form})


def _entry_from(request):
    pk = record_id(request.POST.get("entry"))
    return selectors.waiting_entry_get(pk=pk) if pk is not None else None


def _no_entry(request):
    messages.error(request, "Choose a patient on the waiting list.")
    return redirect(reverse("diary:waiting_list"))


@require_perm("diary.change_waitinglistentry")
@require_POST
def waiting_list_withdraw(request):
    entry = _entry_from(request)
    if entry is None:
        return _no_entry(request)
    try:
        services.waiting_list_withdraw(entry=entry, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{entry.patient.full_name} is off the waiting list.")
    return redirect(reverse("diary:waiting_list"))


@require_perm("diary.change_waitinglistentry")
@require_POST
def waiting_list_send_offer(request):
    from clinic.diary.messaging.views import send_once, summary

    entry = _entry_from(request)
    if entry is None:
        return _no_entry(request)
    back = reverse("diary:waiting_list")

    def send() -> str:
        rows = services.waiting_list_send_offer(entry=entry, sent_by=request.user)
        messages.success(request, f"Offer to {entry.patient.full_name}: {summary(rows)}.")
        return back

    return redirect(send_once(request, send, back=back))
