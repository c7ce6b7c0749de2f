"""What the safety engine knows of the vials a session draws from: each vial's facts
(lot, expiry, reconstitution, the units it has left) and the other patients whose sessions
use it, read for all the session's vials in one query (vial_usage)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, DecimalField, Q, QuerySet, Value

from clinic.prepared import Prepared
from patients.models import Patient
from treatments import safety
from treatments.models import SessionVial, TreatmentSession, Vial, VialDraw
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
        discarded_at=vial.discarded_at,
        discard_reason=vial.discard_reason,
        label=vial.stock_label,
        received_on=vial.received_on,
        other_patient_ids=other_patient_ids,
        remaining_units=Decimal(vial.presentation_units) - vial.wasted_units - drawn_elsewhere,
    )


def _vial_users(ids, *, patient_id: int) -> list[tuple[QuerySet, str]]:
    """The other patients' sessions that use one of the vials `ids`, as (rows, the rows'
    patient field): the sessions whose first vial it is, and the further-vial links. Two
    halves, each read through its own vial index: one condition (first vial OR linked
    vial) across the join made PostgreSQL read every session there is (56 ms at 400,000
    sessions; issue 14, clinic-group scale). Each row's `vial_id` is the vial used."""
    return [
        (
            TreatmentSession.objects.filter(vial__in=ids).exclude(patient_id=patient_id),
            "patient_id",
        ),
        (
            SessionVial.objects.filter(vial__in=ids).exclude(session__patient_id=patient_id),
            "session__patient_id",
        ),
    ]


def vial_other_patients(vials: list[Vial], *, patient: Patient) -> dict[int, frozenset[int]]:
    """{vial id: the other patients whose sessions use it, first or further}: one query for
    all the vials."""
    first, further = (
        rows.order_by().values_list(patient_field, "vial_id")
        for rows, patient_field in _vial_users({v.pk for v in vials}, patient_id=patient.pk)
    )
    found: dict[int, set[int]] = {}
    for patient_id, vial_id in first.union(further, all=True).order_by():
        found.setdefault(vial_id, set()).add(patient_id)
    return {vial_id: frozenset(patients) for vial_id, patients in found.items()}


@dataclass
class VialUsage:
    """What a session's vials have given and to whom (vial_usage)."""

    mine: dict[int, Decimal]  # {vial id: units this session draws from it}
    drawn_elsewhere: dict[int, Decimal]  # {vial id: units the other sessions drew}
    other_patients: dict[int, frozenset[int]]  # {vial id: other patients using it}


ZERO_UNITS = Decimal(0)


NO_ID = Value(None, output_field=BigIntegerField())


def _usage_rows(session_id: int, patient_id: int, **vials: int):
    """(session id, vial id, units, patient id) rows: the draws of the session and of the
    vials (no patient id), then the vials' other patients (no session id, no units)."""
    ids = list(vials.values())
    draws = (
        VialDraw.objects.filter(Q(vial__in=ids) | Q(session_id=session_id))
        .order_by()
        .annotate(no_patient=NO_ID)
        .values_list("session_id", "vial_id", "units", "no_patient")
    )
    users = [
        rows.order_by()
        .annotate(no_session=NO_ID, no_units=Value(None, output_field=DecimalField()))
        .values_list("no_session", "vial_id", "no_units", patient_field)
        for rows, patient_field in _vial_users(ids, patient_id=patient_id)
    ]
    return draws.union(*users, all=True).order_by()


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
    (session id, vial id, units, patient id) rows (_usage_rows). Without vials, the
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
    usage = VialUsage({}, {}, {})
    others: dict[int, set[int]] = {}
    for draw_session, vial_id, units, other in rows:
        if other is not None:
            others.setdefault(vial_id, set()).add(other)
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
