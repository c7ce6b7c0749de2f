"""Vial pages: the stock list, receive, detail, reconstitute, discard, and the lot lookup
(recall). Thin: access, form, one service/selector."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.audit import audited, has_param, record_access
from clinic.idempotency import submit_once, without_token
from clinic.inputs import local_next, record_id
from clinic.listing import fast_page
from clinic.permissions import require_perm
from treatments import selectors, services
from treatments.choices import ProductForm
from treatments.filters import VialFilterSet
from treatments.forms import (
    CorrectReconstitutionForm,
    DiscardForm,
    ReconstituteForm,
    VialReceiveForm,
)

VIALS_PER_PAGE = 100


def draft_next(request) -> str:
    """The draft session the vial pages were opened from (`next`, as the session editor's
    links send it): its editor's path, or "" for anything else (another page, a URL
    elsewhere). The pages offer the way back to it, and a vial reconstituted or received
    there returns to it."""
    target = local_next(request, "")
    try:
        match = resolve(target.partition("?")[0]) if target else None
    except Resolver404:
        return ""
    return target if match and match.view_name == "treatments:session_edit" else ""


def _with_next(url: str, back: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': back})}" if back else url


@require_perm("treatments.view_vial")
def vial_list(request):
    show = "all" if request.GET.get("show") == "all" else "open"
    # One product's vials (?product=, as the session editor's links ask).
    filters = VialFilterSet(
        request.GET,
        queryset=selectors.vial_list_stock(include_discarded=show == "all"),
        products=selectors.vial_products(),
    )
    # Soonest expiry first, a page at a time: a clinic group's fridges can hold well over a
    # thousand open vials (300 rows took 80 ms to draw at 1,611).
    vials = fast_page(
        request,
        filters.qs,
        order_by=selectors.VIAL_STOCK_ORDER,
        per_page=VIALS_PER_PAGE,
    )
    # A receipt just booked (?receipt=): its vials above the pages, whichever page their
    # expiry puts them on.
    just_received = record_id(request.GET.get("receipt"))  # None: not a receipt's id
    received = selectors.receipt_vials(pk=just_received) if just_received else []
    context = {
        "vials": vials,
        "show": show,
        "filters": filters,
        "product": filters.product_id,
        "just_received": just_received,  # its rows stand out in the list below
        "received_vials": received,
        "received": selectors.receipt_summary(received),
        "draft_next": draft_next(request),
    }
    return render(request, "treatments/vial_list.html", context)


@require_perm("treatments.add_vial")
def vial_receive(request):
    """A receipt: several vials of one lot at once (issue 13.13). Reception books
    deliveries in (DOMAIN §7.3: stock, view on receiving)."""
    form = VialReceiveForm(request.POST or None)
    back = draft_next(request)
    if request.method == "POST" and form.is_valid():
        fields = without_token(form.cleaned_data)

        def receive() -> str:
            receipt = services.stock_receive(received_by=request.user, **fields)
            vials = receipt.vials_received
            if len(vials) == 1:  # on to its page, to reconstitute it
                messages.success(request, selectors.receipt_summary(vials))
                url = reverse("treatments:vial_detail", kwargs={"pk": vials[0].pk})
                if back and vials[0].product.form == ProductForm.SOLUTION:
                    return back  # ready to draw from: back to the draft that needed it
                return _with_next(url, back)
            # The list says what was received, from the rows (?receipt=): a double-click's
            # second answer, which is the one the browser shows, says it too.
            return _with_next(f"{reverse('treatments:vials')}?receipt={receipt.pk}", back)

        try:
            outcome = submit_once(request, form, receive)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if outcome is not None:
                return redirect(outcome.url)
    return render(request, "treatments/vial_receive.html", {"form": form, "draft_next": back})


@require_perm("treatments.view_vial")
@audited("vial.view")
def vial_detail(request, pk):
    return _vial_page(request, selectors.vial_get(pk=pk))


def _vial_page(request, vial, *, reconstitute_form=None, discard_form=None, correct_form=None):
    """The vial's page; after a refused reconstitution or discard, shown again at the
    form's address with the form as the user sent it and its errors, so that nothing typed
    is lost (as the diary's move and cancel do)."""
    can_see_sessions = request.user.has_perm("treatments.view_treatmentsession")
    now = timezone.now()
    sessions = selectors.vial_sessions(vial=vial) if can_see_sessions else None
    context = {
        "vial": vial,
        # Its draws are no longer what they were when it was discarded (a draft's planned
        # draw moved since): the page says the report counts the closing figure.
        "closing_count_changed": vial.drawn_at_discard not in (None, vial.drawn_units),
        "sessions": sessions,
        # A draft drawing from it: the discard panel says it stays that draft's vial.
        "drafts_drawing": any(not s.is_signed for s in sessions or ()),
        "reconstitute_form": reconstitute_form or ReconstituteForm(),
        # A reconstitution recorded wrongly is corrected while no signed session drew from
        # the vial (services.vial_correct_reconstitution); offered to those who see its
        # sessions, from the list the page reads anyway.
        "correctable": sessions is not None
        and services.correction_refusal(vial, signed_draw=any(s.is_signed for s in sessions))
        is None,
        "correct_form": correct_form
        or CorrectReconstitutionForm(
            initial={"diluent_ml": vial.diluent_ml, "version": vial.version}
        ),
        "correct_open": correct_form is not None,
        "now": now,
        # What is left is offered as the waste, in the field's own decimal places.
        "discard_form": discard_form
        or DiscardForm(initial={"wasted_units": max(vial.units_left, 0)}),
        # The discard panel is folded away unless the vial is past its use-by or the
        # discard just sent was refused (its errors must be seen).
        "discard_open": bool(discard_form is not None or (vial.use_by and vial.use_by < now)),
        "draft_next": draft_next(request),
    }
    return render(request, "treatments/vial_detail.html", context)


def _refused_page(request, vial, **forms):
    """The vial's page again after a refused form (nothing was written: the vial as
    read): it shows the patients whose sessions drew from it, so it is logged as a view of
    the vial, as its page is."""
    response = _vial_page(request, vial, **forms)
    record_access(request, action="vial.view", object_ref=f"pk={vial.pk}")
    return response


def _vial_form_sent(request, pk, *, form_class, name, refusal, write, said):
    """A form of the vial's page sent: checked, written (`write(vial, cleaned_data)`, a
    service), and back to the page with `said(vial)`; or the page shown again with the
    form as sent and why (nothing typed is lost). A reconstitution form whose strength
    was refused as unusual offers its "intended" box."""
    vial = selectors.vial_get(pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, refusal)
        return _refused_page(request, vial, **{name: form})
    try:
        vial = write(vial, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        form.add_error(None, exc)
        if isinstance(form, ReconstituteForm):
            form.offer_confirmation_if_unusual()
        return _refused_page(request, vial, **{name: form})
    messages.success(request, said(vial))
    # Opened from a draft session (its "next"): back to it, where the vial is offered now.
    back = draft_next(request)
    return redirect(back or reverse("treatments:vial_detail", kwargs={"pk": vial.pk}))


# A product whose in-use time is not in the reference data (Bocouture, Alluzience: "verify
# against current SmPC") gets no use-by, so the list never says "past its use-by": said
# where the nurse reconstitutes (nurse review 07/12/2026: nothing said it).
NO_USE_BY = (
    "No use-by worked out: no in-use time is on record for {product}, so it is offered "
    "for today's sessions only. Check the SmPC for how long it may be kept, and write the "
    "use-by on the vial."
)


def _reconstituted(vial) -> str:
    made = f"{vial.units_per_0_1_ml} U per 0.1 mL" + (
        f", use by {timezone.localtime(vial.use_by):%d/%m/%Y %H:%M}."
        if vial.use_by
        else f". {NO_USE_BY.format(product=vial.product.brand)}"
    )
    at = timezone.localtime(vial.reconstituted_at)
    if vial.replayed:  # the same form sent twice: nothing done twice
        return f"Already recorded: reconstituted at {at:%H:%M}, {made}"
    if at < timezone.localtime() - timedelta(minutes=5):  # entered late, by hand
        return f"Recorded as made up on {at:%d/%m/%Y at %H:%M}: {made}"
    return f"Reconstituted: {made}"


@require_perm("treatments.change_vial")
@require_POST
def vial_reconstitute(request, pk):
    return _vial_form_sent(
        request,
        pk,
        form_class=ReconstituteForm,
        name="reconstitute_form",
        refusal="Not reconstituted: enter the diluent volume in mL (e.g. 2).",
        write=lambda vial, data: services.vial_reconstitute(
            vial=vial,
            diluent_ml=data["diluent_ml"],
            reconstituted_by=request.user,
            at=data["reconstituted_at"],
            unusual_confirmed=data["unusual_confirmed"],
        ),
        said=_reconstituted,
    )


@require_perm("treatments.change_vial")
@require_POST
def vial_correct_reconstitution(request, pk):
    return _vial_form_sent(
        request,
        pk,
        form_class=CorrectReconstitutionForm,
        name="correct_form",
        refusal="Not corrected: enter the volume added and what was wrong.",
        write=lambda vial, data: services.vial_correct_reconstitution(
            vial=vial,
            diluent_ml=data["diluent_ml"],
            reason=data["reason"],
            corrected_by=request.user,
            expected_version=data["version"],
            unusual_confirmed=data["unusual_confirmed"],
        ),
        said=lambda vial: (
            f"{'Already corrected' if vial.replayed else 'Reconstitution corrected'}: "
            f"{vial.diluent_ml} mL, {vial.units_per_0_1_ml} U per 0.1 mL."
        ),
    )


@require_perm("treatments.change_vial")
@require_POST
def vial_discard(request, pk):
    return _vial_form_sent(
        request,
        pk,
        form_class=DiscardForm,
        name="discard_form",
        refusal="Not discarded: give a reason and the units wasted.",
        write=lambda vial, data: services.vial_discard(
            vial=vial, discarded_by=request.user, **data
        ),
        said=lambda vial: (
            # the same form sent twice: nothing done twice
            "This vial was already discarded, as you asked."
            if vial.replayed
            else "Vial discarded and waste recorded."
        ),
    )


@require_perm("treatments.lookup_lot")
@audited("lot.lookup", when=has_param("lot"))
def lot_lookup(request):
    """Who received a lot, and its vials still in stock. A vial's label as written on the
    carton ("C6056C3/03") is looked up as its lot: typed as it stands, the recall was
    told nobody had it (browser review, 07/12/2026)."""
    typed = (request.GET.get("lot") or "").strip()[:40]
    lot = selectors.lot_of_label(typed)
    context = {"lot": lot, "typed": typed, "sessions": None, "stock": None}
    if lot:
        context["sessions"] = selectors.lot_exposure(lot=lot)
        context["stock"] = selectors.lot_stock(lot=lot)
    return render(request, "treatments/lot_lookup.html", context)
