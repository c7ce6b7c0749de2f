"""Pages of the outbox: reception's outbox, sending recall messages from the recall list,
sending aftercare advice from a signed session, and the public unsubscribe page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of
from clinic.diary.messaging import selectors, services, texts
from clinic.diary.messaging.choices import MessageChannel, MessageKind, MessageStatus
from clinic.idempotency import press_once
from clinic.permissions import public, require_perm

PAGE_SIZE = 50


@require_perm("diary.view_outbox")
@audited("diary.outbox")
def outbox(request):
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    page = Paginator(selectors.outbox(status=status, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "diary/outbox.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": MessageStatus.choices,
            "kinds": MessageKind.choices,
        },
    )


def summary(rows) -> str:
    """ "SMS queued; email skipped (No consent to contact by email)"."""
    parts = []
    for row in rows:
        word = services.CHANNEL_WORD[row.channel]
        if row.status == MessageStatus.SKIPPED:
            parts.append(f"{word} skipped ({row.skip_reason})")
        elif getattr(row, "already_queued", False):
            parts.append(f"{word} already queued (not sent twice)")
        else:
            parts.append(f"{word} {row.get_status_display().lower()}")
    return "; ".join(parts)


def _wanted_recalls(values: list[str]):
    """ "<patient public id>:<indication id>" pairs from the recall list's checkboxes."""
    from patients.models import Patient
    from treatments.models import Indication

    pairs = []
    for value in values[:200]:
        public_id, _, indication_id = value.partition(":")
        try:
            pairs.append((uuid.UUID(public_id), int(indication_id)))
        except ValueError:
            continue
    patients = Patient.objects.in_bulk([p for p, _ in pairs], field_name="public_id")
    indications = Indication.objects.in_bulk([i for _, i in pairs])
    return [(patients[p], indications[i]) for p, i in pairs if p in patients and i in indications]


@require_perm("diary.send_recall")
@require_POST
def recall_send(request):
    """From the recall list: a recall message to each ticked patient, by the channels they
    agreed to (rule 37)."""
    wanted = _wanted_recalls(request.POST.getlist("recall"))
    back = request.POST.get("next", "")
    if not back.startswith("/reports/"):
        back = reverse("reports:recall")
    if not wanted:
        messages.error(request, "Tick the patients to send a recall message to.")
        return redirect(back)
    try:
        rows = services.recall_send(wanted=wanted, sent_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    queued = sum(1 for r in rows if r.status == MessageStatus.QUEUED)
    skipped = sum(1 for r in rows if r.status == MessageStatus.SKIPPED)
    messages.success(
        request,
        f"Recall messages for {len(wanted)} patient{'s' if len(wanted) != 1 else ''}: "
        f"{queued} queued to send, {skipped} skipped (no consent, recalled recently or booked "
        "already). "
        "The outbox shows each one.",
    )
    return redirect(back)


@require_perm("diary.send_aftercare")
@require_POST
@audited("diary.aftercare_send", patient=patient_of("treatments.TreatmentSession"))
def aftercare_send(request, public_id):
    from treatments.models import TreatmentSession

    session = get_object_or_404(
        TreatmentSession.objects.select_related("patient"), public_id=public_id
    )
    back = reverse("treatments:session_detail", kwargs={"public_id": public_id})

    def send() -> str:
        rows = services.aftercare_send(session=session, sent_by=request.user)
        messages.success(request, f"Aftercare advice: {summary(rows)}.")
        return back

    return redirect(send_once(request, send, back=back))


def send_once(request, perform, *, back: str) -> str:
    """A button that sends messages, run once per one-time token (clinic.idempotency): a
    double-click or a resent POST is told it was sent already. Returns where to go."""
    outcome = press_once(request, perform, back=back)
    return outcome.url if outcome is not None else back


@public
def unsubscribe(request, token: str):
    """From the link in a recall message: stop that channel's recalls and news (the
    marketing consent; appointment reminders are service messages and go on). Says
    nothing of who the patient is; an unknown or forged link gets the same page, changing
    nothing."""
    from patients.models import Patient
    from patients.services import patient_withdraw_contact_consent

    found = texts.read_unsubscribe_token(token)
    channel = found[1] if found else ""
    context = {
        "valid": found is not None,
        "channel": services.CHANNEL_WORD.get(channel, ""),
        "clinic": settings.CLINIC_NAME,
        "done": False,
    }
    if found is not None and request.method == "POST":
        patient = Patient.objects.filter(public_id=found[0]).first()
        if patient is not None:
            word = "email" if channel == MessageChannel.EMAIL else "SMS"
            patient_withdraw_contact_consent(
                patient=patient,
                channel=channel,
                purpose="marketing",
                how=f"Unsubscribed by {word} link",
            )
        context["done"] = True
    return render(request, "diary/unsubscribe.html", context)
