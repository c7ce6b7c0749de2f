"""Diary pages: the day (a column per practitioner), one practitioner's week, booking
(from a free slot, the patient page or the recall list), the next free slots, and one
appointment with its steps (confirm, arrived, did not attend, move, cancel, start the
session). Thin: access, form, one service or selector."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of
from clinic.diary import feeds, grid, selectors, services
from clinic.diary.choices import AppointmentStatus
from clinic.diary.conflicts import CANCEL, MOVE, conflict_message, step_conflict_message, when
from clinic.diary.forms import BookingForm, CancelForm, MoveForm, StepForm
from clinic.diary.models import EARLIEST_DAY, LATEST_DAY, AppointmentType
from clinic.idempotency import submit_once
from clinic.inputs import record_id
from clinic.permissions import public, require_perm
from patients.selectors import patient_search

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _day_from(value: str | None) -> tuple[date, str]:
    """A day from the query string (ISO or dd/mm/yyyy), and what was wrong with it: today
    when absent (""), unreadable or outside the days the diary shows
    (EARLIEST_DAY..LATEST_DAY), with a message saying so instead of silently showing
    today."""
    value = (value or "").strip()
    if not value:
        return timezone.localdate(), ""
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
        if EARLIEST_DAY <= day <= LATEST_DAY:
            return day, ""
        return timezone.localdate(), (
            f"The diary shows days from {EARLIEST_DAY:%d/%m/%Y} to {LATEST_DAY:%d/%m/%Y}: "
            "showing today."
        )
    return timezone.localdate(), "That is not a date: showing today."


@require_perm("diary.view_appointment")
@audited("diary.day")
def day(request):
    shown, day_problem = _day_from(request.GET.get("day"))
    view = selectors.day_view(day=shown)
    patient_param = request.GET.get("patient", "")
    can_book = request.user.has_perm("diary.add_appointment")
    return render(
        request,
        "diary/day.html",
        {
            "view": view,
            "grid": grid.day_grid(view, can_book=can_book, patient_param=patient_param),
            "previous": shown - timedelta(days=1),
            "next": shown + timedelta(days=1),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "patient_param": patient_param,
            "day_problem": day_problem,
            # What was typed stays in the box next to the message (at most a date's worth).
            "typed_day": request.GET.get("day", "")[:30] if day_problem else "",
        },
    )


@require_perm("diary.view_appointment")
@audited("diary.week")
def week(request, practitioner_id: int):
    people = {p.pk: p for p in selectors.practitioners()}
    person = people.get(practitioner_id)
    if person is None:
        raise Http404
    shown, day_problem = _day_from(request.GET.get("day"))
    monday = shown - timedelta(days=shown.weekday())
    return render(
        request,
        "diary/week.html",
        {
            "person": person,
            "people": people.values(),
            "days": selectors.week_view(practitioner=person, monday=monday),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
            "day_problem": day_problem,
        },
    )


def _initial_from(request) -> dict:
    initial = {}
    if request.GET.get("start"):
        try:
            moment = timezone.localtime(datetime.fromisoformat(request.GET["start"]))
        except (ValueError, OverflowError):  # unreadable, naive, or beyond year 1 or 9999
            moment = None
        if moment is not None and not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            moment = None
        if moment is not None:
            initial["day"], initial["start"] = moment.date(), f"{moment:%H:%M}"
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
    form = BookingForm(_with_chosen_slot(request.POST) or None, initial=_initial_from(request))
    refused = flags = clash = None
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
                acknowledge_flags=data["acknowledge_flags"],
            )
            messages.success(
                request,
                f"Booked {appointment.patient.full_name}: {appointment.appointment_type} with "
                f"{appointment.practitioner.get_full_name()} on "
                f"{timezone.localtime(appointment.starts_at):%d/%m/%Y at %H:%M}.",
            )
            return appointment.get_absolute_url()

        try:
            outcome = submit_once(request, form, perform)
        except services.BookingRefused as exc:
            refused = exc.checks
        except services.BookingNeedsAcknowledgement as exc:
            flags = exc.checks
        except services.DoubleBooking as exc:
            clash, free = exc.clash, exc.free
            form.add_error(None, "That time is already booked: choose one of the free times below.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    patient = _chosen_patient(form)
    if patient is not None:
        request.audit_patient = patient
    return render(
        request,
        "diary/book.html",
        {
            "form": form,
            "patient": patient,
            "refused": refused,
            "flags": flags,
            "clash": clash,
            "free": free,
            "types": selectors.appointment_types(),
        },
    )


def _with_chosen_slot(data):
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


def _chosen_patient(form):
    from patients.models import Patient

    value = form.data.get("patient") if form.is_bound else form.initial.get("patient")
    if not value:
        return None
    try:
        return Patient.objects.filter(public_id=value).first()
    except ValidationError:
        return None


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
                datetime.combine(_day_from(request.GET["from"])[0], datetime.min.time())
            ),
        )
    slots = []
    if chosen is not None:
        slots = selectors.free_slots(
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
            "people": selectors.practitioners(),
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
    move_flags=None,
    move_free=None,
):
    """The appointment page; after a refused move or cancellation, with the form as the
    user sent it (`opened`: which of the two panels to show open; `move_flags`: the
    booking checks the move needs acknowledged, shown with the box to tick, which is not
    offered when there is nothing to acknowledge; `move_free`: after a clash, the free
    times to move it to, one button each)."""
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
            "move_form": move_form,
            "cancel_form": cancel_form or CancelForm(initial={"version": current.version}),
            "opened": opened,
            "move_flags": move_flags,
            "move_free": move_free,
            "statuses": AppointmentStatus,
            "now": timezone.now(),
            # Arrived is for today's appointments only (the service refuses others).
            "is_today": local.date() == timezone.localdate(),
        },
    )


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
            form.refusal("Choose a step: confirmed, arrived, did not attend or completed."),
        )
    else:
        status = form.cleaned_data["status"]
        try:
            services.appointment_set_status(
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
            messages.success(request, f"{current.patient.full_name}: {STEP_MESSAGES[status]}")
    return redirect(_next_or(request, current.get_absolute_url()))


def _next_or(request, default: str) -> str:
    """A local path to go back to, as task_done checks it (Django's own check: "/\\evil"
    and "//evil" are refused, not only the scheme-relative form)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# A refused move or cancellation shows the page again with the form as sent (nothing typed
# is lost), so these pages are audited as the appointment page is.
@require_perm("diary.change_appointment")
@require_POST
@audited("diary.appointment_move", patient=patient_of("diary.Appointment"))
def appointment_move(request, public_id):
    current = selectors.appointment_get(public_id=public_id)
    form = MoveForm(_with_chosen_slot(request.POST))
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
            acknowledge_flags=form.cleaned_data["acknowledge_flags"],
        )
    except services.AppointmentConflict:
        return _after_conflict(request, public_id, form, action=MOVE, asked=when(form.starts_at()))
    except services.DoubleBooking as exc:
        # The free times as buttons in the Move panel, as the booking page offers them
        # (they were plain text in a message: review 05/12).
        messages.error(request, "That time is already booked: choose one of the free times.")
        return _appointment_page(
            request, current, move_form=form, opened=MOVE, move_free=exc.free[:4]
        )
    except services.BookingRefused as exc:
        messages.error(request, " ".join(c.message for c in exc.checks))
    except services.BookingNeedsAcknowledgement as exc:
        messages.warning(request, "Not moved yet: read the points in the Move panel.")
        return _appointment_page(
            request, current, move_form=form, opened=MOVE, move_flags=exc.checks
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if moved.replayed:  # the same form sent twice
            messages.info(request, f"Already moved to {when(moved.starts_at)}.")
        else:
            messages.success(request, f"Moved to {when(moved.starts_at)}.")
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
    try:
        session = services.appointment_start_session(appointment=current, practitioner=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(current)
    return redirect(reverse("treatments:session_edit", kwargs={"public_id": session.public_id}))


# The private calendar feed ---------------------------------------------------------------


@require_perm("diary.view_appointment")
def feed_settings(request):
    """A practitioner's own feed: the secret link (shown to them), a new one, or off."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(practitioner=request.user)
            messages.success(request, "The calendar link is switched off.")
        else:
            feeds.feed_issue(practitioner=request.user)
            messages.success(request, "A new calendar link is ready: the old one stops working.")
        return redirect("diary:feed_settings")
    feed = getattr(request.user, "calendar_feed", None)
    url = None
    if feed is not None and feed.is_active:
        url = request.build_absolute_uri(reverse("diary:feed", kwargs={"token": feed.token}))
    return render(request, "diary/feed_settings.html", {"feed": feed, "url": url})


@public
def feed(request, token):
    """The iCalendar file for a phone's calendar: the secret in the address is the key.
    Initials and appointment types only; a revoked or unknown link is 404."""
    active = feeds.feed_active(token=token)
    if active is None:
        raise Http404
    response = HttpResponse(feeds.feed_calendar(feed=active), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="diary.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
