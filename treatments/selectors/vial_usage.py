"""What the safety engine knows of the vials a session draws from: each vial's facts
(lot, expiry, reconstitution, the units it has left) and the other patients whose sessions
use it, read for all the session's vials in one query (vial_usage)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, IntegerField, Q, Value

from clinic.prepared import Prepared
from patients.models import Patient
from treatments import safety
from treatments.models import TreatmentSession, Vial, VialDraw
from treatments.selectors.vials import vial_units_drawn


def vial_facts(
    vial: Vial | None,
    *,
    patient: Patient,
    session_id: int | None = None,
    other_patient_ids: frozenset[int] | None = None,
    drawn_elsewhere: Decimal | None = None,
) -> safety.VialFacts | None:
    """The engine's facts of a vial: the other patients whose sessions use it and the units
    it has left for this session (each read here unless given)."""
    if vial is None:
        return None
    if other_patient_ids is None:
        other_patient_ids = vial_other_patients([vial], patient=patient).get(vial.pk, frozenset())
    if drawn_elsewhere is None:
        drawn_elsewhere = vial_units_drawn(vial, excluding_session_id=session_id)
    return safety.VialFacts(
        id=vial.pk,
        product_slug=vial.product.slug,
        lot=vial.lot,
        expiry=vial.expiry,
        reconstituted_at=vial.reconstituted_at,
        units_per_ml=vial.units_per_ml,
        discarded=vial.discarded_at is not None,
        other_patient_ids=other_patient_ids,
        remaining_units=Decimal(vial.presentation_units) - vial.wasted_units - drawn_elsewhere,
    )


def vial_other_patients(vials: list[Vial], *, patient: Patient) -> dict[int, frozenset[int]]:
    """{vial id: the other patients whose sessions use it, first or further}: one query for
    all the vials."""
    ids = {v.pk for v in vials}
    found: dict[int, set[int]] = {}
    rows = (
        TreatmentSession.objects.filter(Q(vial__in=ids) | Q(vial_links__vial__in=ids))
        .exclude(patient=patient)
        .values_list("patient_id", "vial_id", "vial_links__vial_id")
    )
    for patient_id, first, further in rows:
        for vial_id in (first, further):
            if vial_id in ids:
                found.setdefault(vial_id, set()).add(patient_id)
    return {vial_id: frozenset(patients) for vial_id, patients in found.items()}


@dataclass
class VialUsage:
    """What a session's vials have given and to whom (vial_usage)."""

    mine: dict[int, Decimal]  # {vial id: units this session draws from it}
    drawn_elsewhere: dict[int, Decimal]  # {vial id: units the other sessions drew}
    other_patients: dict[int, frozenset[int]]  # {vial id: other patients using it}


ZERO_UNITS = Decimal(0)


def _usage_rows(session_id: int, patient_id: int, **vials: int):
    ids = list(vials.values())
    draws = (
        VialDraw.objects.filter(Q(vial__in=ids) | Q(session_id=session_id))
        .order_by()
        .annotate(no_link=Value(None, output_field=IntegerField()))
        .annotate(no_patient=Value(None, output_field=IntegerField()))
        .values_list("session_id", "vial_id", "no_link", "units", "no_patient")
    )
    users = (
        TreatmentSession.objects.filter(Q(vial__in=ids) | Q(vial_links__vial__in=ids))
        .exclude(patient_id=patient_id)
        .order_by()
        .annotate(no_session=Value(None, output_field=IntegerField()))
        .annotate(no_units=Value(None, output_field=DecimalField()))
        .values_list("no_session", "vial_id", "vial_links__vial_id", "no_units", "patient_id")
    )
    return draws.union(users, all=True).order_by()


# Compiled once per process and number of vials (one or more; a session draws from a
# handful at most) (clinic.prepared): read on every session page, live re-check, draft
# save and signing.
_USAGE_ROWS: dict[int, Prepared] = {}


def _usage_rows_for(count: int) -> Prepared:
    prepared = _USAGE_ROWS.get(count)
    if prepared is None:
        vials = {f"vial_{i}": (-1001 - 2 * i, -1002 - 2 * i) for i in range(count)}
        prepared = _USAGE_ROWS.setdefault(
            count,
            Prepared(_usage_rows, session_id=(-3001, -3002), patient_id=(-4001, -4002), **vials),
        )
    return prepared


# No vial chosen: only the session's own draws (those the save must delete); the UNION's
# half on the vials' other users is empty, and Django drops it from the query.
_OWN_DRAWS = Prepared(
    lambda session_id: (
        VialDraw.objects.filter(session_id=session_id)
        .order_by()
        .values_list("session_id", "vial_id", "units")
    ),
    session_id=(-3001, -3002),
)


def vial_usage(vials: list[Vial], *, session_id: int | None, patient: Patient) -> VialUsage:
    """The draws of the session and of the vials (by this session and the others), and the
    other patients whose sessions use the vials (first or further): one UNION ALL of
    (session id, vial id, further vial id, units, patient id) rows. Without vials, the
    session's own draws (none read when there is no session yet)."""
    ids = sorted({v.pk for v in vials})
    if not ids:
        usage = VialUsage({}, {}, {})
        if session_id is not None:
            for _, vial_id, units in _OWN_DRAWS.list(session_id=session_id):
                usage.mine[vial_id] = units
        return usage
    rows = _usage_rows_for(len(ids)).list(
        # Ids are never 0: no session's draws are read when there is no session yet.
        session_id=session_id or 0,
        patient_id=patient.pk,
        **{f"vial_{i}": vial_id for i, vial_id in enumerate(ids)},
    )
    ids = set(ids)
    usage = VialUsage({}, {}, {})
    others: dict[int, set[int]] = {}
    for draw_session, vial_id, further, units, other in rows:
        if other is not None:
            for used in (vial_id, further):
                if used in ids:
                    others.setdefault(used, set()).add(other)
        elif draw_session == session_id:
            usage.mine[vial_id] = units
        else:
            usage.drawn_elsewhere[vial_id] = usage.drawn_elsewhere.get(vial_id, ZERO_UNITS) + units
    usage.other_patients = {vial_id: frozenset(p) for vial_id, p in others.items()}
    return usage


def vials_facts(
    vials: list[Vial],
    *,
    patient: Patient,
    session_id: int | None,
    drawn_elsewhere: dict[int, Decimal] | None,
    other_patients: dict[int, frozenset[int]] | None = None,
) -> list[safety.VialFacts]:
    """vial_facts of several vials: one query (vial_usage), none when the units other
    sessions drew from each and their other patients are given."""
    if not vials:
        return []
    if drawn_elsewhere is None or other_patients is None:
        usage = vial_usage(vials, session_id=session_id, patient=patient)
        drawn_elsewhere, other_patients = usage.drawn_elsewhere, usage.other_patients
    return [
        vial_facts(
            v,
            patient=patient,
            other_patient_ids=other_patients.get(v.pk, frozenset()),
            drawn_elsewhere=drawn_elsewhere.get(v.pk, Decimal(0)),
        )
        for v in vials
    ]
