"""Treatment session pages: start, edit with live safety findings, sign, view, addenda.
Thin: access, form, one service/selector."""

import enum
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.audit import audited, patient_from_url, patient_of
from clinic.flash import NAMES_NOBODY
from clinic.idempotency import replayed_outcome, submit_once
from clinic.permissions import require_perm
from clinic.postgresql.plan_cache import generic_plans
from patients.selectors import patient_get_for_user
from treatments import safety, selectors, services
from treatments.forms import (
    POINT_FIELDS,
    PointFormSet,
    SessionForm,
    SessionStartForm,
    SiteChoices,
    WithdrawForm,
    acknowledgement,
)
from treatments.views.live_points import live_point_facts
from treatments.views.session_record import MEANWHILE, signed_meanwhile_answer

OVERRIDE_PREFIX = "override__"


# The editor of a withdrawn draft (treatment not given): its page instead.
WITHDRAWN_MESSAGE = (
    "This draft was withdrawn (treatment not given): it can no longer be edited or signed."
)

# A Save or Sign from a page opened before the draft was saved elsewhere: nothing saved.
# The page below it offers the way to keep what was typed (session_edit.html).
CONFLICT_MESSAGE = (
    "Not saved: this draft was saved elsewhere (another tab?) since you opened it. What "
    "you typed is shown below."
)


def _override_reasons(data) -> dict[str, str]:
    """Reasons typed against OVERRIDE findings, keyed by finding code."""
    return {
        key[len(OVERRIDE_PREFIX) :]: value
        for key, value in data.items()
        if key.startswith(OVERRIDE_PREFIX)
    }


@generic_plans
@require_perm("treatments.add_treatmentsession")
@audited("session.new", patient=patient_from_url(), when=lambda request: not request.htmx)
def session_new(request, public_id):
    if request.htmx and request.method == "GET":
        # The indication changed: show each product as licensed or off-label for it, and
        # any this patient must not have.
        patient = patient_get_for_user(user=request.user, public_id=public_id)
        banner = selectors.patient_banner_for(user=request.user, patient=patient)
        return render(
            request,
            "treatments/session_start.html#products",
            {
                "form": SessionStartForm(initial=request.GET),
                "choices": selectors.product_choices_for(
                    indication_id=request.GET.get("indication"), banner=banner
                ),
                "reaction": banner and selectors.reaction_ruling_out_every_product(banner),
            },
        )
    # The patient with whether they have an unsigned session; on a POST the indications,
    # products and site templates from this process's reference copy, its fingerprint read
    # with the patient (no query of its own when current).
    patient = selectors.patient_for_session_start(user=request.user, public_id=public_id)
    if patient.is_archived:
        # The patient's page offers no start on an archived record; an address typed or a
        # form sent anyway is refused too (security review 07/12/2026).
        messages.error(
            request,
            "This record is archived: restore it on this page before starting a session.",
            extra_tags=NAMES_NOBODY,
        )
        return redirect("patients:detail", public_id=patient.public_id)
    snapshot = None
    if request.method == "POST":
        snapshot = selectors.reference_snapshot(stamp=patient.reference_stamp)
    form = SessionStartForm(request.POST or None, initial=request.GET, snapshot=snapshot)
    # The patient's unsigned sessions (read only when there is one): shown above the box
    # that starts another beside them.
    if patient.has_open_draft:
        form.drafts = tuple(selectors.open_drafts(patient_id=patient.pk))
    if request.method == "POST" and form.is_valid():
        indication, product = form.cleaned_data["indication"], form.cleaned_data["product"]
        template = snapshot.site_template(indication, product)
        # The view chooses the public id, so the one-time token's INSERT already stores
        # the editor's URL it leads to (no UPDATE of the token afterwards).
        public_id = uuid.uuid4()
        url = reverse("treatments:session_edit", kwargs={"public_id": public_id})

        def start(claim) -> str | None:
            if not services.session_start(
                patient=patient,
                practitioner=request.user,
                indication=indication,
                product=product,
                template=template,
                public_id=public_id,
                claim=claim,
                other_drafts=form.drafts,
                acknowledge_drafts=form.drafts_acknowledged(),
            ):
                return None  # the token's claim found it taken: nothing was written
            if template:
                messages.info(
                    request,
                    f"Injection points filled in from “{template.name}”. "
                    "Adjust them to what you give.",
                    extra_tags=NAMES_NOBODY,  # a template's name (reference data)
                )
            return url

        outcome = None
        try:
            # The token's claim is written in the session's own statement.
            outcome = submit_once(request, form, start, result_url=url, in_statement=True)
        except services.OtherDraftsOpen as exc:
            # A replay of a start that went through finds the draft it made (on PostgreSQL
            # its claim is in the start's statement, not yet tried): its editor.
            outcome = replayed_outcome(request, form)
            if outcome is None:
                form.drafts_raised(exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        if outcome is not None:
            return redirect(outcome.url)
    indication_id = form.data.get("indication") if form.is_bound else request.GET.get("indication")
    # The banner's read, made here for the products this patient must not have, and given
    # to the banner (its tag reads nothing more).
    banner = selectors.patient_banner_for(user=request.user, patient=patient)
    return render(
        request,
        "treatments/session_start.html",
        {
            "patient": patient,
            "form": form,
            "choices": selectors.product_choices_for(indication_id=indication_id, banner=banner),
            "reaction": banner and selectors.reaction_ruling_out_every_product(banner),
            # Given to the banner's tag (it reads nothing more); None: it reads as it may.
            "screening_banner": banner and banner.screening,
            "banner_reactions": banner and banner.reactions,
        },
    )


class Use(enum.Enum):
    """What the editor's forms are bound to a submission for (unbound: the page)."""

    # A save or a sign: its forms only check the submission, so against the vials it
    # names (usable_vials None).
    SUBMISSION = "submission"
    # The live re-check: its safety panel is drawn, so with the whole stock (whether
    # "Further vials" can be ticked depends on it).
    CHECK = "check"
    # A refused, conflicting or invalid submission whose page is shown again: the whole
    # stock, and what the draft, perhaps saved on the way (a refused sign), calls for.
    SHOWN_AGAIN = "shown again"


@dataclass(frozen=True)
class Editor:
    """The session editor's forms for one request, with what they were built from and
    the page goes on to use (no second read of any of it)."""

    form: SessionForm
    formset: PointFormSet
    # The reference data for the whole request (sites, parameters, guideline, limits,
    # protocol), also what signing checks against.
    snapshot: selectors.ReferenceSnapshot
    # Every vial of the product that can be used: None when only the vials the submission
    # names were read (Use.SUBMISSION: its page is built again if it is shown).
    usable_vials: list | None
    saved_points: list | None  # the draft's points as saved (a page), else None


def _edit_context(request, session, editor: Editor, refused=None):
    form, formset = editor.form, editor.formset
    fields = _safety_fields(form)
    uncounted = []
    if formset.is_bound:
        points, uncounted = live_point_facts(formset, vial=fields.get("vial"))
    else:
        points = selectors.point_facts_from_points(editor.saved_points)
    inputs = selectors.safety_inputs(
        patient=session.patient,
        indication=session.indication,
        product=session.product,
        # A vial choice that failed validation counts as no vial, never the saved one.
        vial=fields.pop("vial", None),
        further_vials=fields.pop("further_vials", None) or (),
        points=points,
        performed_at=fields.pop("performed_at", session.performed_at),
        fields=fields,
        session_id=session.pk,
        snapshot=editor.snapshot,
        practitioner_id=session.practitioner_id,
    )
    findings = inputs.evaluate()
    reasons = _override_reasons(request.POST)
    usable = editor.usable_vials
    panel = not request.htmx and usable is not None
    vials_at = selectors.draft_vials_at(session)  # an earlier day's: the vials of that time
    # This editor's address, whichever page draws it (the editor, the live check): where
    # the side trips it links to (a vial, the assessment) come back to.
    edit_url = reverse("treatments:session_edit", kwargs={"public_id": session.public_id})
    return {
        "session": session,
        "patient": session.patient,
        "form": form,
        "formset": formset,
        "edit_url": edit_url,
        # Where to receive or reconstitute a vial of the session's product (the notices').
        # `next`: the vial pages offer the way back to this draft, and a reconstitution or
        # receipt recorded there returns here (treatments.views.vials.draft_next).
        "product_vials_url": f"{reverse('treatments:vials')}?"
        + urlencode({"product": session.product_id, "next": edit_url}),
        "findings": findings,
        "reasons": reasons,
        "totals": selectors.point_totals(points),
        # Rows with a dose typed that the totals and checks leave out (no side chosen
        # yet, say): the panel names them, so a total that is short is never read as
        # the session's (practitioner review 07/12/2026: 500 U typed, 300 U shown).
        "uncounted_points": uncounted,
        # A draft left unsigned from an earlier day (forgotten after the patient left):
        # the editor says so, as the home page's list does, and what to do with it.
        "started_earlier": session.started_earlier,
        "off_label": safety.is_off_label(inputs.session),
        "refused": refused,
        # Apart from Save and Sign, below the form: the treatment was not given.
        "withdraw_form": WithdrawForm(),
        # Ticked for the warnings shown now (none come up since): it stays ticked.
        "acknowledged": acknowledgement.ticked_for(request.POST, findings),
        "warning_codes": acknowledgement.warning_codes(findings),
        "missing_reasons": {f.code for f in refused.missing_reasons} if refused else set(),
        "has_warnings": any(f.level == safety.Level.WARN for f in findings),
        # Rule 34: the face-to-face assessment the engine found (cosmetic sessions).
        "prescriber_assessment": inputs.history.prescriber_assessment,
        # The vial panel (a full page offering the whole stock): no vial of this product can
        # be used (say so, and where to get one), and the stock that cannot be used, and why.
        # Not when the draft keeps its own vial, its rest discarded since the session's time
        # (the engine asks to check it): the notice would send for another vial to draw from.
        "no_usable_vial": panel and not usable and not session.keeps_discarded_vial,
        "unusable_vials": selectors.vial_list_unusable(
            product=session.product,
            patient=session.patient,
            usable=usable,
            at=vials_at,
        )
        if panel
        else [],
        "vials_then": vials_at,
    }


def _safety_fields(form) -> dict:
    if form.is_bound:
        form.is_valid()
        values = dict(getattr(form, "cleaned_data", {}))
    else:
        values = {
            name: form.initial.get(name, getattr(form.instance, name, None)) for name in form.fields
        }
        values["vial"] = form.instance.vial
        values["further_vials"] = [link.vial for link in form.instance.vial_links.all()]
    values.pop("version", None)
    values.pop("notes", None)
    return values


def _editor(session, data=None, use: Use | None = None) -> Editor:
    """The session form and its points formset, unbound (the page) or bound to `data`
    for a `use` (Use)."""
    if (data is None) != (use is None):
        raise ValueError("a submission's data and its use go together")
    # No query when this process's copy of the reference data is current (its
    # fingerprint came with the session: selectors.session_get_for_editor).
    snapshot = selectors.reference_snapshot(stamp=getattr(session, "reference_stamp", None))
    linked = [link.vial for link in session.vial_links.all()]
    named = None  # every vial that can be used
    if use is Use.SUBMISSION:
        # The vials the submission names, and the draft's own: all its choice is checked by.
        named = {session.vial_id, *(v.pk for v in linked), *SessionForm.vials_named(data)}
        named.discard(None)
    usable = selectors.vial_list_usable_for_draft(session=session, among=named)
    sites = SiteChoices.load(indication=session.indication, snapshot=snapshot)
    shape = selectors.session_form_context(session=session, snapshot=snapshot)  # off-label? child?
    # Rule 20's choices: read for a page, for a submission from a page that showed them
    # (it carries the field) and for a draft linked already. A submission without the
    # field comes from a page that had none to offer: it changes no link (no query).
    offered = use in (None, Use.SHOWN_AGAIN) or "top_up_of" in data or session.top_up_of_id
    top_ups = (
        selectors.session_top_up_candidates(session=session, parameters=snapshot.parameters)
        if offered
        else ()
    )
    shape = {**shape, "usable_vials": usable, "linked_vials": linked, "top_up_candidates": top_ups}
    saved = None
    if data is not None:
        # A submission's form only checks it (never drawn): no choice lists or layout.
        form = SessionForm(data, instance=session, shown=use is not Use.SUBMISSION, **shape)
        formset = PointFormSet(data, prefix="points", sites=sites, session=session)
    else:
        initial = {"version": session.version}
        # No vial chosen yet and only one can be used (one just reconstituted from here,
        # say): it is chosen, as the help under it says (browser review 07/12/2026).
        chosen_by_page = session.vial_id is None and len(usable) == 1
        if chosen_by_page:
            initial["vial"] = usable[0].pk
        form = SessionForm(instance=session, initial=initial, **shape)
        if chosen_by_page:  # "Restore what I typed" keeps it (clinic/idle_sign_out.js)
            form.fields["vial"].widget.attrs["data-chosen-by-page"] = ""
        saved = selectors.session_points(session=session)
        initial = [{name: getattr(p, name) for name in POINT_FIELDS} for p in saved]
        formset = PointFormSet(initial=initial, prefix="points", sites=sites, session=session)
    # A page lists the rest of the stock with why it cannot be used (a submission: not
    # known, as only the vials it names were read).
    return Editor(form, formset, snapshot, usable if named is None else None, saved)


@generic_plans
@require_perm("treatments.change_treatmentsession")
@audited("session.edit", patient=patient_of("treatments.TreatmentSession"))
def session_edit(request, public_id):
    if request.method == "POST":
        return _session_submit(request, public_id)
    session = selectors.session_get_for_editor(user=request.user, public_id=public_id)
    if session.is_signed:
        messages.info(request, "This session is signed. Corrections are made by addendum.")
        return redirect("treatments:session_detail", public_id=session.public_id)
    if session.is_withdrawn:
        messages.info(request, WITHDRAWN_MESSAGE, extra_tags=NAMES_NOBODY)
        return redirect("treatments:session_detail", public_id=session.public_id)
    _check_owner(request, session)
    editor = _editor(session)
    return render(request, "treatments/session_edit.html", _edit_context(request, session, editor))


def _session_submit(request, public_id):
    """Save draft or Sign. The draft is read locked, with its points, in the transaction
    its write joins (one read where the editor's and the service's were two); whatever
    the write refuses is shown again after that transaction, committed (a refused sign
    keeps the draft it saved on the way) or rolled back."""
    signing = request.POST.get("action") == "sign"
    refused = error = None
    conflict = False
    try:
        with transaction.atomic():
            session = selectors.session_get_for_editor(
                user=request.user, public_id=public_id, for_update=True
            )
            if session.is_signed:
                # A second click, or a second tab, after a sign committed (or waiting for
                # its lock): the signed record stands, nothing more is written.
                raise services.SessionLocked
            if session.is_withdrawn:
                raise services.SessionWithdrawn
            _check_owner(request, session)
            editor = _editor(session, request.POST, Use.SUBMISSION)
            points = editor.formset.submitted_points()
            # Invalid forms write nothing: the block ends with nothing to commit, and the
            # page shows why below.
            valid = editor.form.is_valid() and points is not None
            if valid:
                fields = dict(editor.form.cleaned_data)
                draft = services.Draft(fields.pop("version"), fields, points)
                try:
                    if signing:
                        # One pass: the draft saved (its row only when something changed)
                        # and signed. A refusal the service returns (findings; no points)
                        # keeps the draft saved: caught here, this block commits it. A
                        # refusal raised in the write (its own ValidationError) has marked
                        # the block for rollback: it rolls back as it ends.
                        session = services.session_sign(
                            session=session,
                            signed_by=request.user,
                            override_reasons=_override_reasons(request.POST),
                            acknowledge_warnings=acknowledgement.acknowledged_warnings(
                                request.POST
                            ),
                            draft=draft,
                            snapshot=editor.snapshot,
                        )
                    else:
                        session = services.session_save_draft(
                            session=session,
                            saved_by=request.user,
                            expected_version=draft.expected_version,
                            fields=draft.fields,
                            points=draft.points,
                        )
                except services.SigningRefused as exc:
                    refused = exc
                except ValidationError as exc:
                    error = exc
    except services.SessionWithdrawn:
        # Withdrawn (treatment not given) in another tab: final, nothing is saved.
        messages.error(request, f"Not saved: {WITHDRAWN_MESSAGE}", extra_tags=NAMES_NOBODY)
        return redirect("treatments:session_detail", public_id=public_id)
    except services.SessionLocked:
        return signed_meanwhile_answer(request, public_id)
    except services.SessionConflict:
        # Nothing of this page's was saved, and a reload would show the draft as saved
        # without it: the page keeps the entries in the tab for the draft's page to offer
        # back (data-keep-draft-now: clinic/static/clinic/idle_sign_out.js), and says so.
        conflict = True
        messages.error(request, CONFLICT_MESSAGE)
    else:
        if error is not None:
            messages.error(request, " ".join(error.messages))
        elif valid and refused is None:
            if signing:
                messages.success(request, "Session signed.", extra_tags=NAMES_NOBODY)
                return redirect("treatments:session_detail", public_id=session.public_id)
            messages.success(request, "Draft saved.", extra_tags=NAMES_NOBODY)
            return redirect("treatments:session_edit", public_id=session.public_id)
    if signing and (refused is not None or error is not None):
        # The draft may have been saved on the way: show it at its new version. The saved
        # draft's new date may call for a top-up link the page did not offer (rule 20 may
        # be what refused).
        session.refresh_from_db()
        data = request.POST.copy()
        data["version"] = session.version
        editor = _editor(session, data, Use.SHOWN_AGAIN)
    else:
        # Shown again: the page offers every vial that can be used (the submission was
        # checked against those it named), its entries as they were sent.
        editor = _editor(session, editor.form.data, Use.SHOWN_AGAIN)
    return render(
        request,
        "treatments/session_edit.html",
        {**_edit_context(request, session, editor, refused=refused), "conflict": conflict},
    )


def _check_owner(request, session) -> None:
    """A draft is the treating practitioner's: nobody else edits it or sees its live
    findings (built from the patient's history)."""
    if session.practitioner_id != request.user.pk:
        raise PermissionDenied("Only the treating practitioner edits a draft.")


@generic_plans
@require_perm("treatments.change_treatmentsession")
@require_POST
def session_check(request, public_id):
    """Live findings and totals while the form is filled (htmx); nothing is saved. Only
    for the draft's own practitioner, as the editor."""
    session = selectors.session_get_for_editor(user=request.user, public_id=public_id)
    if session.is_signed:
        # Signed in another tab while this editor was open: go to the signed session now,
        # rather than let more be typed that cannot be saved. The page it goes to says
        # so; nothing is stored for the user's next page, so a check the browser dropped
        # (its form's Sign on its way: clinic/app.js) leaves no "signed meanwhile" behind.
        url = reverse("treatments:session_detail", kwargs={"public_id": session.public_id})
        url = f"{url}?{MEANWHILE}"
        if request.htmx:
            response = HttpResponse(status=204)  # htmx swaps nothing, and navigates
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if session.is_withdrawn:
        # Withdrawn in another tab: its page says so (nothing can be typed into it).
        url = reverse("treatments:session_detail", kwargs={"public_id": session.public_id})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    _check_owner(request, session)
    return render(
        request,
        "treatments/session_edit.html#safety",
        _edit_context(request, session, _editor(session, request.POST, Use.CHECK)),
    )
