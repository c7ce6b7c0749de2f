"""One appointment and its steps: confirm, arrived, did not attend, move, cancel, start
the session."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of
from clinic.diary import selectors, services, steps
from clinic.diary.choices import AppointmentStatus
from clinic.diary.conflicts import CANCEL, MOVE, conflict_message, step_conflict_message, when
from clinic.diary.forms import CancelForm, MoveForm, StepForm
from clinic.diary.views.booking import with_chosen_slot
from clinic.inputs import local_next
from clinic.permissions import require_perm
from treatments import selectors as treatment_selectors
from treatments.forms import OpenDraftsForm
from treatments.services import OtherDraftsOpen


@require_perm("diary.view_appointment")
@audited("diary.appointment", patient=patient_of("diary.Appointment"))
def appointment(request, public_id):
    return _appointment_page(request, selectors.appointment_get(public_id=public_id))


def _appointment_page(
    request,
    current,
    *,
    move_form=None,
    cancel_form=None,
    opened="",
    move_free=None,
):
    """The appointment page; after a refused move or cancellation, with the form as the
    user sent it (`opened`: which of the two panels to show open; the move form's
    `checks`: the booking checks the move needs acknowledged, shown with the box to tick;
    `move_free`: after a clash, the free times to move it to, one button each)."""
    local = timezone.localtime(current.starts_at)
    if move_form is None:
        move_form = MoveForm(
            initial={
                "day": local.date(),
                "start": f"{local:%H:%M}",
                "practitioner": current.practitioner_id,
                "version": current.version,
            }
        )
    return render(
        request,
        "diary/appointment.html",
        {
            "appointment": current,
            "start_form": _start_form(request, current),
            "move_form": move_form,
            "cancel_form": cancel_form or CancelForm(initial={"version": current.version}),
            "opened": opened,
            "move_free": move_free,
            "statuses": AppointmentStatus,
            "now": timezone.now(),
            # Arrived is for today's appointments only (the service refuses others).
            "is_today": local.date() == timezone.localdate(),
        },
    )


def _start_form(request, current) -> OpenDraftsForm:
    """The Start session button's form, with the patient's unsigned sessions when it can
    start one (read only then): shown above it with the box that starts another anyway."""
    form = OpenDraftsForm()
    if (
        current.status in (AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)
        and current.session_id is None
        and current.indication_id is not None
        and current.product_id is not None
        and request.user.has_perm("treatments.add_treatmentsession")
    ):
        form.drafts = tuple(treatment_selectors.open_drafts(patient_id=current.patient_id))
    return form


def _after_conflict(request, public_id, form, *, action: str, asked: str):
    """Someone changed or cancelled the appointment first: say who and how it is now, and
    give the form back as typed at the new version (sending it again applies it to the
    appointment as it is now); the message repeats what was asked where no form remains."""
    current = selectors.appointment_get(public_id=public_id)
    by = selectors.appointment_last_changed_by(appointment=current)
    messages.warning(request, conflict_message(current, by=by, action=action, asked=asked))
    # The same bound form, its data at the new version (a new form would read the
    # practitioners again).
    form.data = request.POST.copy()
    form.data["version"] = str(current.version)
    return _appointment_page(request, current, **{f"{action}_form": form}, opened=action)


STEP_MESSAGES = {
    AppointmentStatus.CONFIRMED: "Confirmed.",
    AppointmentStatus.ARRIVED: "Marked arrived.",
    AppointmentStatus.DID_NOT_ATTEND: "Marked as did not attend.",
    AppointmentStatus.COMPLETED: "Marked completed.",
}


@require_perm("diary.change_appointment")
@require_POST
def appointment_step(request, public_id):
    current = selectors.appointment_get(public_id=public_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            form.refusal("Choose a step: confirmed, arrived, did not attend, completed, or undo."),
        )
    else:
        status = form.cleaned_data["status"]
        try:
            done = steps.appointment_set_status(
                appointment=current,
                status=status,
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except services.AppointmentConflict as exc:
            by = selectors.appointment_last_changed_by(appointment=exc.current)
            asked = AppointmentStatus(status).label.lower()
            messages.warning(request, step_conflict_message(exc.current, by=by, asked=asked))
            return redirect(current)  # the page as it is now, not the list it came from
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if status == AppointmentStatus.BOOKED:
                said = f"Undone: the appointment is {done.get_status_display().lower()} again."
            else:
                said = STEP_MESSAGES[status]
            messages.success(request, f"{current.patient.full_name}: {said}")
    return redirect(local_next(request, current.get_absolute_url()))


# A refused move or cancellation shows the page again with the form as sent (nothing typed
# is lost), so these pages are audited as the appointment page is.
@require_perm("diary.change_appointment")
@require_POST
@audited("diary.appointment_move", patient=patient_of("diary.Appointment"))
def appointment_move(request, public_id):
    current = selectors.appointment_get(public_id=public_id)
    form = MoveForm(with_chosen_slot(request.POST))
    if not form.is_valid():
        messages.error(
            request,
            form.refusal(" ".join(form.errors.get("day", [])) or "Choose the new date and time."),
        )
        return _appointment_page(request, current, move_form=form, opened=MOVE)
    try:
        moved = services.appointment_move(
            appointment=current,
            starts_at=form.starts_at(),
            practitioner=form.cleaned_data["practitioner"],
            moved_by=request.user,
            expected_version=form.cleaned_data["version"],
            acknowledge_flags=form.acknowledged(),
        )
    except services.AppointmentConflict:
        return _after_conflict(request, public_id, form, action=MOVE, asked=when(form.starts_at()))
    except services.DoubleBooking as exc:
        # The free times as buttons in the Move panel, as the booking page offers them
        # (they were plain text in a message: review 05/12).
        eligible = (
            f" (from {exc.eligible_on:%d/%m/%Y}, the earliest date the interval since the last "
            "treatment allows)"
            if exc.eligible_on
            else ""
        )
        messages.error(
            request, f"That time is already booked: choose one of the free times{eligible}."
        )
        return _appointment_page(
            request, current, move_form=form, opened=MOVE, move_free=exc.free[:4]
        )
    except services.BookingRefused as exc:
        messages.error(request, " ".join(c.message for c in exc.checks))
    except services.BookingNeedsAcknowledgement as exc:
        form.checks_raised(exc.checks)
        messages.warning(request, "Not moved yet: read the points in the Move panel.")
        return _appointment_page(request, current, move_form=form, opened=MOVE)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if moved.replayed:  # the same form sent twice
            messages.info(request, f"Already moved to {when(moved.starts_at)}.")
        else:
            room = f", {moved.room}" if moved.room_id else ""  # it follows their hours
            messages.success(request, f"Moved to {when(moved.starts_at)}{room}.")
        return redirect(current)
    return _appointment_page(request, current, move_form=form, opened=MOVE)


@require_perm("diary.change_appointment")
@require_POST
@audited("diary.appointment_cancel", patient=patient_of("diary.Appointment"))
def appointment_cancel(request, public_id):
    current = selectors.appointment_get(public_id=public_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal("Say who cancelled and why."))
        return _appointment_page(request, current, cancel_form=form, opened=CANCEL)
    try:
        cancelled = services.appointment_cancel(
            appointment=current,
            cancelled_by=form.cleaned_data["cancelled_by"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except services.AppointmentConflict:
        return _after_conflict(
            request, public_id, form, action=CANCEL, asked=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _appointment_page(request, current, cancel_form=form, opened=CANCEL)
    if cancelled.replayed:  # the same form sent twice
        messages.info(request, "Already cancelled.")
    else:
        late = " (late cancellation)" if cancelled.is_late_cancellation else ""
        messages.success(request, f"Cancelled{late}. The slot is free again.")
        offers = getattr(cancelled, "waiting_list_offers", [])
        if offers:  # issue 15.6: who on the waiting list could take it
            names = ", ".join(entry.patient.full_name for entry in offers[:5])
            messages.info(
                request,
                format_html(
                    'Waiting for this slot: {}. <a href="{}">Book one of them</a> from the '
                    "waiting list.",
                    names,
                    reverse("diary:waiting_list"),
                ),
            )
    return redirect(current)


@require_perm("treatments.add_treatmentsession")
@require_POST
def appointment_start(request, public_id):
    current = selectors.appointment_get(public_id=public_id)
    # The box under the patient's unsigned sessions (the appointment page's Start session;
    # the today lists' button has none: it is refused when there are some, and this page
    # shows them).
    form = OpenDraftsForm(request.POST)
    form.is_valid()  # both fields optional
    try:
        session = steps.appointment_start_session(
            appointment=current,
            practitioner=request.user,
            acknowledge_drafts=form.drafts_acknowledged(),
        )
    except OtherDraftsOpen as exc:
        messages.warning(request, _open_drafts_message(current, exc))
        return redirect(current)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(current)
    return redirect(reverse("treatments:session_edit", kwargs={"public_id": session.public_id}))


def _open_drafts_message(current, refusal: OtherDraftsOpen) -> str:
    name = current.patient.full_name
    if refusal.changed:
        return (
            f"Not started: another unsigned session for {name} was started since the page was "
            "shown. Read the list under Start session, then tick the box again."
        )
    some = "an unsigned session" if len(refusal.drafts) == 1 else "unsigned sessions"
    return (
        f"Not started: {name} already has {some} (listed under Start session). Carry on "
        "with it, or tick “Start another session anyway” and press Start session again."
    )
