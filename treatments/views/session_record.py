"""A session's own page (its points, findings at signing, details, follow-ups) and the
addenda that correct a signed one. Split from sessions.py (the editor) by concept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of, record_access
from clinic.flash import NAMES_NOBODY
from clinic.idempotency import submit_once, without_token
from clinic.permissions import require_perm
from treatments import selectors, services
from treatments.forms import AddendumForm, WithdrawForm

# A Sign or Save racing a sign that committed first, and the live check of a session
# signed in another tab, say the same.
SIGNED_MEANWHILE_MESSAGE = (
    "This session was signed meanwhile (a second click, or another tab?), so nothing "
    "more was saved and it can no longer be edited. Corrections are made by addendum."
)
# The notes typed in a Save or Sign that came too late: kept in the addendum box.
NOTES_KEPT_MESSAGE = (
    "The notes you typed were not saved with it: they are in the addendum box below, to "
    "add to the record if they belong there."
)
NOTES_KEPT_REASON = "Notes typed in another tab as the session was signed"

# The live check's redirect to a session signed meanwhile: its page says so.
MEANWHILE = "signed-meanwhile"


def signed_meanwhile(request) -> None:
    messages.info(request, SIGNED_MEANWHILE_MESSAGE, extra_tags=NAMES_NOBODY)


def signed_meanwhile_answer(request, public_id):
    """The answer to a Save or Sign of a session signed meanwhile (the editor's): its page,
    saying so. Notes typed that the signed record does not have are not lost (practitioner
    review 07/12/2026: a note typed in a second tab was thrown away once the first had
    signed): the page is shown at once with them in the addendum box, not stored anywhere
    on the way."""
    signed_meanwhile(request)
    typed = (request.POST.get("notes") or "").strip()
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    if not typed or typed == (session.notes or "").strip():
        return redirect("treatments:session_detail", public_id=public_id)
    messages.warning(request, NOTES_KEPT_MESSAGE, extra_tags=NAMES_NOBODY)
    form = AddendumForm(initial={"reason": NOTES_KEPT_REASON, "text": typed})
    # The box brought into view and focused (below a PREEMPT session's 31 points it was
    # off the screen: looked at in Chromium, 07/12/2026).
    context = {**detail_context(session, form), "addendum_kept": True}
    return render(request, "treatments/session_detail.html", context)


@require_perm("treatments.view_treatmentsession")
@audited("session.view", patient=patient_of("treatments.TreatmentSession"))
def session_detail(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    if MEANWHILE in request.GET:
        signed_meanwhile(request)  # shown by this page (the live check's redirect)
    return render(request, "treatments/session_detail.html", detail_context(session))


def detail_context(session, addendum_form=None, withdraw_form=None) -> dict:
    related = selectors.session_detail_related(session=session)
    points = selectors.point_facts_from_points(related["points"])
    return {
        "session": session,
        "patient": session.patient,
        # Each vial with the units this session drew from it (None: no draw recorded).
        "session_vials": [(v, related["drawn"].get(v.pk)) for v in session.all_vials()],
        **related,
        "totals": selectors.point_totals(points),
        "addendum_form": addendum_form or AddendumForm(),
        # A draft can be withdrawn from here (treatment not given): by a colleague too.
        "withdraw_form": withdraw_form or WithdrawForm(),
        # What was confirmed before signing, joined without a trailing separator.
        "confirmed": [
            label
            for done, label in (
                (session.screening_reviewed, "screening"),
                (session.consent_taken, "consent"),
                (session.off_label_consent, "off-label consent"),
                (session.spread_advice_given, "spread-of-toxin advice"),
            )
            if done
        ],
    }


@require_perm("treatments.add_sessionaddendum")
@require_POST
def session_addendum(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        fields = without_token(form.cleaned_data)

        def add() -> str:
            services.session_add_addendum(session=session, author=request.user, **fields)
            messages.success(request, "Addendum added. The signed record is unchanged.")
            return reverse("treatments:session_detail", kwargs={"public_id": session.public_id})

        try:
            outcome = submit_once(request, form, add)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    else:
        form.add_error(None, "An addendum needs a reason and the correction.")
    return page_again(request, session, addendum_form=form)


def page_again(request, session, **forms):
    """A form of the session's page refused (an addendum, a withdrawal): the page again
    with what was typed and why, and an access event, as the page shows the patient's
    record. `forms`: detail_context's (addendum_form, withdraw_form)."""
    record_access(
        request,
        action="session.view",
        patient=session.patient_id,
        object_ref=f"public_id={session.public_id}",
    )
    return render(request, "treatments/session_detail.html", detail_context(session, **forms))
