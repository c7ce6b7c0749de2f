"""A session's own page (its points, findings at signing, details, follow-ups) and the
addenda that correct a signed one. Split from sessions.py (the editor) by concept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_of, record_access
from clinic.idempotency import submit_once, without_token
from clinic.permissions import require_perm
from treatments import selectors, services
from treatments.forms import AddendumForm
from treatments.views.sessions import MEANWHILE, signed_meanwhile


@require_perm("treatments.view_treatmentsession")
@audited("session.view", patient=patient_of("treatments.TreatmentSession"))
def session_detail(request, public_id):
    session = selectors.session_get_for_user(user=request.user, public_id=public_id)
    if MEANWHILE in request.GET:
        signed_meanwhile(request)  # shown by this page (the live check's redirect)
    return render(request, "treatments/session_detail.html", _detail_context(session))


def _detail_context(session, addendum_form=None) -> dict:
    related = selectors.session_detail_related(session=session)
    points = selectors.point_facts_from_points(related["points"])
    return {
        "session": session,
        "patient": session.patient,
        "session_vials": session.all_vials(),
        **related,
        "totals": selectors.point_totals(points),
        "addendum_form": addendum_form or AddendumForm(),
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
    # Refused: the session's page again, with what was typed and why (an access event,
    # as the page shows the patient's record).
    record_access(
        request,
        action="session.view",
        patient=session.patient_id,
        object_ref=f"public_id={public_id}",
    )
    return render(request, "treatments/session_detail.html", _detail_context(session, form))
