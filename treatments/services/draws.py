"""How a session's planned units are drawn from vials (split from services/sessions.py):
the draws allocated across the vials in use, the further vials linked, and the fewest
vials chosen to cover a dose."""

import itertools
from decimal import Decimal

from treatments import selectors
from treatments.models import SessionVial, TreatmentSession, Vial, VialDraw


def allocate_draws(
    session: TreatmentSession,
    *,
    vials: list[Vial],
    total: Decimal,
    links: list[SessionVial] = (),
    drop_unneeded: bool = False,
) -> tuple[selectors.VialUsage, list[SessionVial]]:
    """Record how many units the session takes from each of its vials (`vials`: the first,
    then the further ones in order), given its `total` units: each vial up to what it has
    left, then the next. Any excess stays on the last vial, where the engine's
    vial.insufficient rule reports it. With `drop_unneeded`, further vials (`links`) the
    dose does not reach are dropped from the session (a vial chosen by hand that holds the
    dose makes the others unnecessary).

    One query reads what every vial has given (to this session and to others) and the
    other patients using them (selectors.vial_usage, for the engine too); the draws are
    rewritten only when they change (a new session's are planned_draws, written with it).
    Returns that usage and the further vials kept."""
    usage = selectors.vial_usage(vials, session_id=session.pk, patient=session.patient)
    mine = usage.mine
    left = {
        v.pk: Decimal(v.presentation_units)
        - v.wasted_units
        - usage.drawn_elsewhere.get(v.pk, Decimal(0))
        for v in vials
    }
    draws = planned_draws(session, vials=vials, total=total, left=left)
    if {d.vial_id: d.units for d in draws} != mine:
        if mine:
            VialDraw.objects.filter(session=session).delete()
        VialDraw.objects.bulk_create(draws)
    used = {d.vial_id for d in draws}
    unneeded = [link.pk for link in links if link.vial_id not in used]
    if drop_unneeded and draws and unneeded:
        SessionVial.objects.filter(pk__in=unneeded).delete()
        links = [link for link in links if link.pk not in unneeded]
    return usage, list(links)


def planned_draws(
    session: TreatmentSession, *, vials: list[Vial], total: Decimal, left: dict[int, Decimal]
) -> list[VialDraw]:
    """The draws (unsaved) that take `total` units from `vials` in turn, each up to what it
    has `left`, any excess on the last (allocate_draws)."""
    draws = []
    for index, vial in enumerate(vials):
        if total <= 0:
            break
        units = total if index == len(vials) - 1 else min(total, max(left[vial.pk], Decimal(0)))
        if units > 0:
            draws.append(VialDraw(session=session, vial=vial, units=units))
            total -= units
    return draws


def further_vial_links(session: TreatmentSession, further: list[Vial]) -> list[SessionVial]:
    """The links (unsaved) of a session's further vials, in the given order, its first vial
    and repeats left out."""
    wanted = [v for v in dict.fromkeys(further) if v != session.vial]
    return [
        SessionVial(session=session, vial=vial, position=position)
        for position, vial in enumerate(wanted, start=1)
    ]


def set_further_vials(
    session: TreatmentSession, further: list[Vial], *, current: list[SessionVial] = ()
) -> list[SessionVial]:
    """Replace a draft's further vials (in the given order, the first vial left out) when
    they differ from `current`; returns the links as they now stand."""
    wanted = further_vial_links(session, further)
    if [link.vial_id for link in current] == [link.vial_id for link in wanted]:
        return list(current)
    if current:
        session.vial_links.all().delete()
    return SessionVial.objects.bulk_create(wanted)


# Above this many usable vials, vial choice stops trying every combination (2^n) and takes
# them in use-by order: a fridge never holds that many open vials of one product.
_MAX_VIALS_TO_COMBINE = 10

# The usable vials a start reads first (soonest use-by first): as many as choice combines,
# and one more to tell a longer list, where choice takes them in order until they hold the
# dose. Those hold it, or there are no more: choice finds in them what it finds in the whole
# stock (chosen_from_usable).
_READ_FIRST = _MAX_VIALS_TO_COMBINE + 1


def chosen_from_usable(*, product, patient, planned: Decimal) -> tuple[list[Vial], dict]:
    """choose_vials among the vials usable for `patient` now, with what each has left
    ({vial id: units}). The first few usable vials are read; the whole list only when there
    are more than choice combines and those few fall short of `planned`."""
    usable = selectors.vial_list_usable(product=product, patient=patient, first=_READ_FIRST)
    left = _left(usable)
    if len(usable) == _READ_FIRST and sum(left.values(), Decimal(0)) < planned:
        usable = selectors.vial_list_usable(product=product, patient=patient)
        left = _left(usable)
    return choose_vials(usable, planned, left), left


def _left(usable: list[Vial]) -> dict[int, Decimal]:
    """What each vial (with drawn_units: vial_list_usable) still holds."""
    return {v.pk: Decimal(v.presentation_units) - v.wasted_units - v.drawn_units for v in usable}


def choose_vials(usable: list[Vial], planned: Decimal, left: dict[int, Decimal]) -> list[Vial]:
    """The fewest usable vials that together hold the planned dose, soonest use-by first
    (`usable` is in use-by order; `left`: what each still holds): 155 U from one 200 U
    vial rather than 100 U + 200 U. When no set holds it, every vial in use-by order
    (vial.insufficient then says so)."""
    if not usable:
        return []
    if len(usable) <= _MAX_VIALS_TO_COMBINE:
        for count in range(1, len(usable) + 1):
            # combinations() yields index-ordered sets: the soonest use-by first.
            for chosen in itertools.combinations(usable, count):
                if sum((left[v.pk] for v in chosen), Decimal(0)) >= planned:
                    return list(chosen)
        return list(usable)
    chosen, held = [], Decimal(0)
    for vial in usable:
        chosen.append(vial)
        held += left[vial.pk]
        if held >= planned:
            break
    return chosen
