"""Reads for vials: the stock list, vials usable for a patient, the units drawn from a
vial, and the sessions that used a vial or a lot (recall)."""

import functools
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.listing import Capped
from clinic.prepared import Prepared, attach_related
from patients.models import Patient
from treatments.choices import ProductForm, SessionStatus
from treatments.models import Product, TreatmentSession, Vial, VialDraw
from treatments.selectors.aggregates import units_total


def vial_list() -> QuerySet[Vial]:
    """Vials with their receipt and the units drawn into sessions annotated (one query, no
    per-row lookups)."""
    return Vial.objects.select_related("product", "receipt").annotate(
        drawn_units=units_total("draws__units"),
        session_count=Count("draws", distinct=True),
    )


# The vial list's order: in stock (no discarded_at) first, then the soonest expiry. NULLs
# placed in so many words: by default they sort first on SQLite and last on PostgreSQL,
# where "All" listed the discarded vials first.
VIAL_STOCK_ORDER = (F("discarded_at").asc(nulls_first=True), "expiry", "lot", "lot_sequence")


def vial_list_stock(*, include_discarded: bool = False) -> QuerySet[Vial]:
    """The vial list's rows (`vial_list`, in VIAL_STOCK_ORDER): those in stock, or every
    vial."""
    vials = vial_list()
    return vials if include_discarded else vials.filter(discarded_at__isnull=True)


def _stocked_product_ids() -> RawSQL:
    """The ids of the products with any vial on record, as a subquery that steps through the
    vials' product index, one product at a time (a recursive MIN(product_id) above the last:
    a "loose index scan"), and so never reads the vials themselves.

    An EXISTS per product read them: PostgreSQL plans the correlated lookup as if each
    product had its share of the vials, starts a sequential scan expecting a match within a
    few rows, and for a product never stocked reads every vial. At a clinic group's scale
    (400,000 vials, 8 such products) that was 346 ms of the vial list's 400."""
    table = connection.ops.quote_name(Vial._meta.db_table)
    column = connection.ops.quote_name(Vial._meta.get_field("product").column)
    return RawSQL(  # noqa: S611 (no input: the model's own table and column)
        f"WITH RECURSIVE stocked(id) AS ("  # noqa: S608 (the model's own table and column)
        f"SELECT MIN({column}) FROM {table} "
        f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > stocked.id) "
        f"FROM stocked WHERE stocked.id IS NOT NULL) "
        f"SELECT id FROM stocked WHERE id IS NOT NULL",
        [],
    )


def vial_products() -> list[tuple[int, str]]:
    """The products the vial list's filter offers, as (id, brand) by brand: the formulary's,
    and any other with vials on record (one taken off the formulary can still have vials
    in the fridge); not the reference list's products the clinic has never stocked."""
    return list(
        Product.objects.filter(Q(on_formulary=True) | Q(pk__in=_stocked_product_ids()))
        .order_by(Lower("brand"), "id")
        .values_list("id", "brand")
    )


def receipt_summary(vials: list[Vial]) -> str | None:
    """What a receipt booked in, as the receive page and the vial list say it, from its
    vials (with their receipt); None for none."""
    if not vials:
        return None
    labels = vials[0].stock_label
    if len(vials) > 1:
        labels += f" to {vials[-1].stock_label}"
    count = f"{len(vials)} vial" + ("s" if len(vials) != 1 else "")
    return (
        f"Received {count} of {vials[0].product} {vials[0].presentation_units} U ({labels}), "
        f"delivery note {vials[0].receipt.delivery_note}."
    )


def receipt_vials(*, pk: int) -> list[Vial]:
    """A receipt's vials as the vial list shows them, in label order (one query): the list
    shows a receipt just booked (`?receipt=`) above its pages, read from the rows, so a
    double-click, a replayed form or a reload shows it as well as the first answer."""
    return list(vial_list().filter(receipt_id=pk).order_by("lot_sequence", "id"))


def vial_get(*, pk: int) -> Vial:
    return get_object_or_404(
        vial_list().select_related("received_by", "reconstituted_by", "discarded_by"), pk=pk
    )


def _usable(
    *,
    powder: bool,
    product_id,
    patient_id,
    today,
    at=None,
    start_of_day=None,
    discarded_since=None,
) -> QuerySet[Vial]:
    """The vials in use (not discarded); with `discarded_since`, those discarded after
    that moment instead (an earlier day's draft: vial_list_usable_for_draft)."""
    # Used elsewhere: a session (first vial, or a further one) of another patient or a
    # signed one. Two NOT EXISTS, cheaper to build than excludes across the relations.
    used_elsewhere = ~Q(patient_id=patient_id) | Q(status=SessionStatus.SIGNED)
    closing = (
        Q(discarded_at__isnull=True)
        if discarded_since is None
        else Q(discarded_at__gt=discarded_since)
    )
    qs = Vial.objects.filter(
        ~Exists(TreatmentSession.objects.filter(used_elsewhere, vial=OuterRef("pk"))),
        ~Exists(TreatmentSession.objects.filter(used_elsewhere, vial_links__vial=OuterRef("pk"))),
        closing,
        product_id=product_id,
        expiry__gte=today,
    )
    if powder:
        # With no known in-use time (use_by empty), a vial is usable on the day it was
        # reconstituted only, the conservative reading of "use immediately" (DOMAIN §1.3).
        qs = qs.filter(reconstituted_at__isnull=False).filter(
            Q(use_by__gte=at) | Q(use_by__isnull=True, reconstituted_at__gte=start_of_day)
        )
    drawn = (
        VialDraw.objects.filter(vial=OuterRef("pk"))
        .order_by()
        .values("vial")
        .annotate(total=Sum("units"))
        .values("total")
    )
    qs = qs.annotate(drawn_units=units_total(Subquery(drawn)))
    return qs.order_by("use_by", "expiry", "id")


def _usable_samples(powder: bool) -> dict:
    """Two examples of each value of `_usable` (clinic.prepared)."""
    moment = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
    times = {
        "at": (moment, moment + timedelta(days=400, seconds=7)),
        "start_of_day": (moment - timedelta(hours=4), moment + timedelta(days=500, seconds=9)),
    }
    return {
        "product_id": (-1001, -1002),
        "patient_id": (-2001, -2002),
        "today": (date(2001, 2, 3), date(2002, 3, 4)),
        **(times if powder else {}),
    }


# Compiled once per process (clinic.prepared): its two EXISTS and the units drawn cost
# ~4 ms of CPU to compile, on each of the session editor's POSTs.
_USABLE = {
    powder: Prepared(functools.partial(_usable, powder=powder), **_usable_samples(powder))
    for powder in (False, True)
}

# The same read among a few vials named by their ids (a submission's first and further
# vials, the draft's own): USABLE_AMONG_MAX places, a shorter list filling the rest with
# one of its ids, so that the compiled SQL is the same whatever the number. A submission is
# checked against the vials it names, not against every vial of the product that can
# still be used (a score at a clinic group: each a row with two EXISTS and a sum).
USABLE_AMONG_MAX = 6
_AMONG = tuple(f"among{i}" for i in range(USABLE_AMONG_MAX))


def _usable_among(*, powder: bool, **values) -> QuerySet[Vial]:
    among = [values.pop(name) for name in _AMONG]
    return _usable(powder=powder, **values).filter(pk__in=among)


_USABLE_AMONG = {
    powder: Prepared(
        functools.partial(_usable_among, powder=powder),
        **_usable_samples(powder),
        **{name: (-3001 - i, -4001 - i) for i, name in enumerate(_AMONG)},
    )
    for powder in (False, True)
}


# The same read, only the first vials in use order: the soonest-used vials a start's vial
# choice looks at (services.draws.choose_vials), not the whole stock.
def _usable_first(*, powder: bool, first: int, **values) -> QuerySet[Vial]:
    return _usable(powder=powder, **values)[:first]


_USABLE_FIRST: dict[tuple[bool, int], Prepared] = {}


def _usable_first_for(powder: bool, first: int) -> Prepared:
    prepared = _USABLE_FIRST.get((powder, first))
    if prepared is None:
        prepared = _USABLE_FIRST.setdefault(
            (powder, first),
            Prepared(
                functools.partial(_usable_first, powder=powder, first=first),
                **_usable_samples(powder),
            ),
        )
    return prepared


def vial_list_usable(
    *,
    product: Product,
    patient: Patient,
    at=None,
    among: Collection[int] | None = None,
    first: int | None = None,
) -> list[Vial]:
    """Vials a session may draw from now: this product, in date, not discarded,
    reconstituted and within its use-by (or a ready-to-use solution), and not used by a
    signed session or by another patient (single patient, single session: DOMAIN §1.3 and
    §10 rule 5). Each with `drawn_units`, the units every session has drawn from it (in
    the same query).

    `among`: only those of the vials with these ids (a submission is checked against the
    vials it names, not against the whole stock; more than USABLE_AMONG_MAX ids read the
    whole list and keep those). `first`: only the first that many, in use order (with
    `among` None)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    values = {
        "product_id": product.pk,
        "patient_id": patient.pk,
        "today": today,
        "at": at,
        "start_of_day": timezone.make_aware(datetime.combine(today, time.min)),
    }
    powder = product.form == ProductForm.POWDER
    ids = None if among is None else set(among)
    if ids is not None and not ids:
        return []
    if ids is not None and len(ids) <= USABLE_AMONG_MAX:
        padded = [*ids, *[min(ids)] * (USABLE_AMONG_MAX - len(ids))]
        vials = _USABLE_AMONG[powder].list(**values, **dict(zip(_AMONG, padded, strict=True)))
    elif first is not None and ids is None:
        vials = _usable_first_for(powder, first).list(**values)
    else:
        vials = _USABLE[powder].list(**values)
        if ids is not None:
            vials = [vial for vial in vials if vial.pk in ids]
    # Every one is of `product`: given it rather than joined and built again for each vial
    # (a group's open vials of one product can be a score; half the list's cost).
    attach_related(vials, "product", product)
    return vials


def draft_vials_at(session: TreatmentSession):
    """When the vials a draft offers must have been usable: a treatment recorded as given
    on an earlier day (a record completed or typed afterwards) draws from the vials usable
    then, one past its use-by now among them; today's, from those usable now (None)."""
    at = session.performed_at
    return at if at is not None and timezone.localdate(at) < timezone.localdate() else None


def vial_list_usable_for_draft(
    *, session: TreatmentSession, among: Collection[int] | None = None
) -> list[Vial]:
    """vial_list_usable for the session editor's draft, at its time (draft_vials_at). An
    earlier day's: the vials usable at its time, whether discarded since or not, but not
    one received or made up on a later day, which cannot have been drawn from then (the
    engine blocks it: vial.received_later, vial.reconstituted_later)."""
    at = draft_vials_at(session)
    usable = vial_list_usable(product=session.product, patient=session.patient, among=among, at=at)
    if at is None:
        return usable
    # And those discarded since that were usable then: yesterday's vial, its rest thrown
    # away at the end of the day, is the one the record names (one query, read through
    # vial_discarded_idx: the product's vials discarded since).
    day = timezone.localdate(at)
    since = _usable(
        powder=session.product.form == ProductForm.POWDER,
        product_id=session.product_id,
        patient_id=session.patient_id,
        today=day,
        at=at,
        start_of_day=timezone.make_aware(datetime.combine(day, time.min)),
        discarded_since=at,
    )
    if among is not None:
        since = since.filter(pk__in=list(among))
    discarded = list(since)
    attach_related(discarded, "product", session.product)
    vials = sorted(
        (*usable, *discarded),
        key=lambda v: (v.use_by is None, v.use_by or at, v.expiry, v.pk),
    )
    return [v for v in vials if not _later_than(v, day)]


def _later_than(vial: Vial, day: date) -> bool:
    """Whether the vial came into the clinic, or was made up, on a later day than `day`: a
    session of that day cannot have drawn from it (a ready-to-use solution is never made
    up: its delivery dates it)."""
    made = vial.reconstituted_at
    return vial.received_on > day or (made is not None and timezone.localdate(made) > day)


def vial_sessions(*, vial: Vial) -> list[TreatmentSession]:
    return list(
        TreatmentSession.objects.filter(draws__vial=vial)
        .select_related("patient", "practitioner", "indication")
        .annotate(total_units=units_total("draws__units", filter=Q(draws__vial=vial)))
        .order_by("performed_at", "id")
    )


def lot_of_label(text: str) -> str:
    """The lot a typed label names: "C6056C3/03" (a vial's stock label, lot / number, as
    written on each carton: format_stock_label) is lot C6056C3; anything else as typed. A
    lot on file as typed is that lot, slash or not ("AB/12" is not lot AB: the review,
    07/12/2026; one indexed query)."""
    text = (text or "").strip()
    lot, slash, number = text.rpartition("/")
    if not (slash and lot.strip() and number.strip().isdigit()):
        return text
    if Vial.objects.filter(lot__iexact=text).exists():
        return text
    return lot.strip()


def lot_stock(*, lot: str) -> list[Vial]:
    """The lot's vials not discarded: what a recall sets aside from the fridge."""
    return list(
        Vial.objects.filter(lot__iexact=lot, discarded_at__isnull=True)
        .select_related("product")
        .order_by("lot_sequence", "id")
    )


def lot_exposure(*, lot: str) -> list[TreatmentSession]:
    """Every session (and so patient) that received a lot: the recall list (DOMAIN §1.5)."""
    lot = (lot or "").strip()
    if not lot:
        return []
    from_lot = Q(draws__vial__lot__iexact=lot)
    return list(
        TreatmentSession.objects.filter(from_lot)
        .select_related("patient", "product", "indication", "practitioner")
        .annotate(total_units=units_total("draws__units", filter=from_lot))
        .order_by("performed_at", "id")
    )


def vial_units_drawn(vial: Vial, *, excluding_session_id: int | None = None) -> Decimal:
    """Units sessions have drawn from a vial (VialDraw), optionally leaving one out: the one
    sum behind reconciliation, discards, vial choice and the engine's vial.insufficient."""
    draws = VialDraw.objects.filter(vial=vial)
    if excluding_session_id is not None:
        draws = draws.exclude(session_id=excluding_session_id)
    return draws.aggregate(total=units_total("units"))["total"]


def vial_units_drawn_by_vial(
    vials: list[Vial], *, excluding_session_id: int | None = None
) -> dict[int, Decimal]:
    """vial_units_drawn for several vials in one query: {vial id: units drawn}."""
    draws = VialDraw.objects.filter(vial__in=vials)
    if excluding_session_id is not None:
        draws = draws.exclude(session_id=excluding_session_id)
    return dict(
        draws.values("vial_id").annotate(total=units_total("units")).values_list("vial_id", "total")
    )


UNUSABLE_SHOWN = 10  # the editor's panel; the vial list has them all


def vial_list_unusable(
    *,
    product: Product,
    patient: Patient,
    usable: list[Vial] | None = None,
    at=None,
    limit: int = UNUSABLE_SHOWN,
) -> Capped:
    """The vials of this product in the fridge (not discarded) that this patient's session
    cannot use, each with why: expired, past its use-by, not reconstituted, or already used
    for another patient or a signed session. Soonest expiry first, the first `limit` of
    them, and how many there are (one query: a clinic group's fridge can hold hundreds,
    and the uses are looked up for the rows shown only)."""
    at = at or timezone.now()
    if usable is None:
        usable = vial_list_usable(product=product, patient=patient, at=at)
    vials = list(
        Vial.objects.select_related("product")
        .filter(product=product, discarded_at__isnull=True)
        .exclude(pk__in=[v.pk for v in usable])
        .annotate(in_stock=Window(Count("*")), **_uses(patient))
        .order_by("expiry", "id")[:limit]
    )
    today = timezone.localdate(at)
    reasons = [(vial, _why_unusable(vial, product=product, today=today, at=at)) for vial in vials]
    return Capped(reasons, vials[0].in_stock if vials else 0)


def _uses(patient: Patient) -> dict:
    """Whether a vial was drawn from for another patient, or by a signed session."""
    draws = VialDraw.objects.filter(vial=OuterRef("pk"))
    return {
        "other_patients": Exists(draws.exclude(session__patient=patient)),
        "signed_sessions": Exists(draws.filter(session__status=SessionStatus.SIGNED)),
    }


def _why_unusable(vial: Vial, *, product: Product, today: date, at: datetime) -> str:
    """Why a vial of `product` in the fridge cannot be used for the patient (with its
    `_uses`): the editor's list of those that cannot, and a choice refused."""
    if vial.expiry < today:
        return f"expired on {vial.expiry:%d/%m/%Y}"
    if _later_than(vial, today):
        # An earlier day's draft (its `today`): not in the clinic, or not made up, then.
        if vial.received_on > today:
            return f"received on {vial.received_on:%d/%m/%Y}, after this session's day"
        made = timezone.localtime(vial.reconstituted_at)
        return f"reconstituted on {made:%d/%m/%Y}, after this session's day"
    if vial.other_patients:
        return "already used for another patient (one vial, one patient)"
    if vial.signed_sessions:
        return "already used in a signed session (single session)"
    if vial.use_by is not None and vial.use_by < at:
        return f"past its use-by ({timezone.localtime(vial.use_by):%d/%m/%Y %H:%M}): discard it"
    if product.form == ProductForm.POWDER and vial.reconstituted_at is None:
        return "not reconstituted yet"
    return "reconstituted on an earlier day with no use-by recorded"


def vial_refusal(pk: int | None, *, product: Product, patient: Patient) -> str | None:
    """Why a session of `product` for `patient` cannot draw from the vial `pk`, which a
    submission named although its page did not offer it (a form sent after the vial went
    out of use, or one forced): a vial of another product says so, with what it is; a
    discarded one, when; one of this product, what the editor's list of vials that cannot
    be used says (_why_unusable). None: no such vial. One query, on a refusal only."""
    if pk is None:
        return None
    vial = Vial.objects.select_related("product").annotate(**_uses(patient)).filter(pk=pk).first()
    if vial is None:
        return None
    if vial.product_id != product.pk:
        return (
            f"Vial {vial.stock_label} is {vial.product} {vial.presentation_units} U, not "
            f"{product}: choose a {product} vial."
        )
    at = timezone.now()
    if vial.discarded_at is not None:
        why = f"discarded on {timezone.localtime(vial.discarded_at):%d/%m/%Y}"
    else:
        why = _why_unusable(vial, product=product, today=timezone.localdate(at), at=at)
    return f"That vial can no longer be used here. Vial {vial.stock_label}: {why}. Choose another."
