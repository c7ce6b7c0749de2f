"""Booking: from a free slot, the patient page or the recall list; the patient picker and
the next free slots."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from clinic.audit import audited
from clinic.diary import availability, selectors, services
from clinic.diary.forms import BookingForm, chosen_patient, time_choice_at, with_sole_match
from clinic.diary.models import EARLIEST_DAY, LATEST_DAY, AppointmentType
from clinic.diary.views.calendar import day_from
from clinic.idempotency import submit_once
from clinic.inputs import record_id
from clinic.permissions import require_perm
from patients.selectors import patient_search


def _initial_from(request) -> dict:
    initial = {}
    # The diary's header Book, from the day it shows (?day=): that date, the time to choose.
    if request.GET.get("day"):
        day, problem = day_from(request.GET["day"])
        if not problem:
            initial["day"] = day
    if request.GET.get("start"):
        try:
            moment = timezone.localtime(datetime.fromisoformat(request.GET["start"]))
        except (ValueError, OverflowError):  # unreadable, naive, or beyond year 1 or 9999
            moment = None
        if moment is not None and not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            moment = None
        if moment is not None:
            initial["day"] = moment.date()
            if (start := time_choice_at(moment)) is not None:
                initial["start"] = start
    for name in ("practitioner", "appointment_type", "patient", "indication", "room"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if request.GET.get("type"):
        initial["appointment_type"] = (
            AppointmentType.objects.filter(slug=request.GET["type"])
            .values_list("pk", flat=True)
            .first()
        )
    return initial


@require_perm("diary.add_appointment")
@audited("diary.book", when=lambda request: getattr(request, "audit_patient", None) is not None)
def book(request):
    form = BookingForm(
        with_sole_match(with_chosen_slot(request.POST)) or None, initial=_initial_from(request)
    )
    refused = clash = eligible_on = None
    free = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.audit_patient = data["patient"]

        def perform() -> str:
            appointment = services.appointment_book(
                patient=data["patient"],
                practitioner=data["practitioner"],
                appointment_type=data["appointment_type"],
                starts_at=form.starts_at(),
                minutes=data["minutes"],
                room=data["room"],
                indication=data["indication"],
                product=data["product"],
                notes=data["notes"],
                booked_by=request.user,
                acknowledge_flags=form.acknowledged(),
            )
            messages.success(
                request,
                f"Booked {appointment.patient.full_name}: {appointment.appointment_type} with "
                f"{appointment.practitioner.get_full_name()} on "
                f"{timezone.localtime(appointment.starts_at):%d/%m/%Y at %H:%M}"
                f"{f', {appointment.room}' if appointment.room_id else ''}.",
            )
            return appointment.get_absolute_url()

        try:
            outcome = submit_once(request, form, perform)
        except services.BookingRefused as exc:
            refused = exc.checks
        except services.BookingNeedsAcknowledgement as exc:
            form.checks_raised(exc.checks)
            free, eligible_on = exc.free, exc.eligible_on  # too soon: from the eligible date
        except services.DoubleBooking as exc:
            clash, free, eligible_on = exc.clash, exc.free, exc.eligible_on
            form.add_error(None, "That time is already booked: choose one of the free times below.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                # Told apart in the access log from the form opened, refused or flagged
                # (browser review 07/12/2026: one booking read as three or four).
                if not outcome.replayed:  # a second press booked nothing
                    request.audit_action = "diary.booked"
                return redirect(outcome.url)
    patient = chosen_patient(form)
    if patient is not None:
        request.audit_patient = patient
    return render(
        request,
        "diary/book.html",
        {
            "form": form,
            "patient": patient,
            "refused": refused,
            "flags": form.checks,
            "clash": clash,
            "free": free,
            "eligible_on": eligible_on,
            "types": selectors.appointment_types(),
        },
    )


def with_chosen_slot(data):
    """A free time offered after a clash was clicked (booking or moving):
    "practitioner|dd/mm/yyyy|HH:MM"."""
    if not data or not data.get("slot"):
        return data
    parts = data["slot"].split("|")
    if len(parts) != 3:
        return data
    data = data.copy()
    data["practitioner"], data["day"], data["start"] = parts
    return data


@require_perm("diary.add_appointment")
@audited("patient.search", when=lambda request: bool(request.GET.get("q", "").strip()))
def patient_picker(request):
    """Search as you type inside the booking form: a short list to pick from."""
    query = request.GET.get("q", "").strip()[:100]
    results = patient_search(user=request.user, query=query, limit=8) if query else []
    return render(
        request, "diary/includes/patient_picker.html", {"results": results, "query": query}
    )


@require_perm("diary.view_appointment")
def free_slots(request):
    """The next free times for an appointment type, with someone or with anyone."""
    types = selectors.appointment_types()
    chosen = next((t for t in types if str(t.pk) == request.GET.get("appointment_type")), None)
    indication_id = record_id(request.GET.get("indication"))
    if chosen is None and indication_id is not None:
        # From the recall list: the treatment type of that indication, if there is one.
        chosen = next((t for t in types if t.indication_id == indication_id), None)
    practitioner_id = request.GET.get("practitioner") or None
    after = timezone.now()
    if request.GET.get("from"):
        after = max(
            after,
            timezone.make_aware(
                datetime.combine(day_from(request.GET["from"])[0], datetime.min.time())
            ),
        )
    slots = []
    if chosen is not None:
        slots = availability.free_slots(
            minutes=chosen.default_minutes,
            after=after,
            practitioner_id=record_id(practitioner_id),
            limit=12,
        )
    return render(
        request,
        "diary/free_slots.html",
        {
            "types": types,
            "chosen": chosen,
            "people": availability.practitioners(),
            "practitioner_id": practitioner_id,
            "slots": slots,
            "patient_param": request.GET.get("patient", ""),
            "from": request.GET.get("from", ""),
            "extra": urlencode(
                {
                    k: request.GET[k]
                    for k in ("indication", "product")
                    if record_id(request.GET.get(k)) is not None
                }
            ),
        },
    )
