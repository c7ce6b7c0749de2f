"""Writes for treatment sessions: start, save a draft, add an addendum. Signing is
treatments.services.signing, which saves a submitted draft through `apply_draft` here."""

import functools
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.history_writes import (
    insert_with_history,
    replace_with_history,
    update_with_history,
)
from clinic.idempotency import Claim
from clinic.prepared import attach_related
from patients.models import Patient
from treatments import selectors
from treatments.choices import SessionStatus
from treatments.models import (
    AnatomicalSite,
    Indication,
    InjectionPoint,
    Product,
    SessionAddendum,
    SessionVial,
    SiteTemplate,
    TreatmentSession,
    Vial,
)
from treatments.services.draws import (
    allocate_draws,
    chosen_from_usable,
    further_vial_links,
    planned_draws,
    set_further_vials,
)
from treatments.services.locked import in_callers_lock, locked_draft


@dataclass
class SessionConflict(Exception):
    current_version: int


def _check_fields(instance) -> None:
    """The field checks of full_clean without its queries: relations are objects the caller
    already holds, and the database enforces the unique and check constraints (the
    IntegrityError would be a programming error, not a user's)."""
    instance.clean_fields(exclude=[f.name for f in instance._meta.concrete_fields if f.is_relation])


def _point_key(point: InjectionPoint) -> tuple:
    return (point.order, point.site_id, point.side, point.units, point.volume_ml, point.points)


def _replace_points(
    session: TreatmentSession, new: list[InjectionPoint], *, user, old: list[InjectionPoint]
) -> bool:
    """Make the draft's points `new` (`old`: those it has): nothing is written when they are
    the same (False); otherwise the old rows deleted and the new inserted, with a "-" and a
    "+" history row each (clinic.history_writes: one statement on PostgreSQL). Nothing
    references an injection point, and the points send no signal but simple-history's."""
    if [_point_key(p) for p in old] == [_point_key(p) for p in new]:
        return False
    replace_with_history(
        InjectionPoint,
        old_pks=[p.pk for p in old],
        new=new,
        user_id=user.pk,
        when=timezone.now(),
    )
    return True


def _save(session: TreatmentSession, *, user) -> None:
    """The session row (every field, updated_at now) and its "~" history row."""
    update_with_history(session, user_id=user.pk, when=timezone.now())


@dataclass
class OtherDraftsOpen(Exception):
    """The patient has unsigned sessions the start was not acknowledged beside: nothing was
    written. `changed`: the box was ticked under a page that did not show them all (one
    was started since)."""

    drafts: list[TreatmentSession]
    changed: bool = False


def _started_beside(drafts, acknowledge: bool | Collection[str]) -> str:
    """The reason the new session's first history row records when it is started beside
    the patient's unsigned `drafts` ("" when there are none). Raises OtherDraftsOpen unless
    they are acknowledged: True, or the public ids of the drafts the page showed, which
    must include each of them (one started since the page was shown is not acknowledged
    by its box)."""
    if not drafts:
        return ""
    if not acknowledge:
        raise OtherDraftsOpen(drafts)
    if acknowledge is not True and not {str(d.public_id) for d in drafts} <= set(acknowledge):
        raise OtherDraftsOpen(drafts, changed=True)
    # The history row's reason holds 100 characters: the first draft named, the rest counted.
    first = f"{drafts[0].product.brand} for {drafts[0].indication.name}"
    if len(drafts) == 1:
        return f"Started anyway beside an unsigned session ({first})"[:100]
    return f"Started anyway beside {len(drafts)} unsigned sessions ({first}, …)"[:100]


def session_start(
    *,
    patient: Patient,
    practitioner,
    indication: Indication,
    product: Product,
    template: SiteTemplate | None = None,
    public_id: uuid.UUID | None = None,
    claim: Claim | None = None,
    other_drafts: Sequence[TreatmentSession] = (),
    acknowledge_drafts: bool | Collection[str] = False,
) -> TreatmentSession | None:
    """A draft session, its points pre-filled from the indication's template. `public_id`:
    chosen by the caller (the view knows the editor's URL before the session exists).
    `claim` (PostgreSQL): the one-time token's claim (clinic.idempotency), written in the
    session's own statement; None is returned when it found the token taken (nothing was
    written).

    `other_drafts`: the patient's unsigned sessions as the caller read them
    (selectors.open_drafts; none when it knows there are none): two drafts would both draw
    vials and both count towards the doses once signed, so a start beside them needs them
    acknowledged (`acknowledge_drafts`: see _started_beside), else OtherDraftsOpen is
    raised and nothing is written. The choice is recorded as the reason of the new
    session's first history row (its change history shows it)."""
    if not product.on_formulary:
        raise ValidationError({"product": f"{product} is not on the clinic formulary."})
    beside = _started_beside(list(other_drafts), acknowledge_drafts)
    start = functools.partial(
        _start,
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        product=product,
        template=template,
        public_id=public_id,
        # Started beside another draft (rare): said in the first history row's reason,
        # written with it (the runtime role may not change a history row: clinic.db_roles).
        reason=beside or None,
    )
    if claim is not None:
        # One statement (the claim, the session, its points, vials, draws and history
        # rows): atomic on its own, so no transaction around it (BEGIN and COMMIT would be
        # two more round trips).
        return start(claim=claim)
    # No savepoint of its own: the view's one-time token already opened the transaction,
    # and every exception from here on rolls the whole of it back (SAVEPOINT and RELEASE
    # would be 2 statements per start for nothing).
    with transaction.atomic(savepoint=False):
        return start(claim=None)


def _start(*, patient, practitioner, indication, product, template, public_id, claim, reason):
    session = TreatmentSession(
        patient=patient, practitioner=practitioner, indication=indication, product=product
    )
    if public_id is not None:
        session.public_id = public_id
    # Vials to draw from: the fewest that hold the template's dose, soonest use-by first
    # ("use first"). The practitioner can change them before signing. Read without a lock
    # (a plan: signing checks the vials again under its lock).
    rows = [r for r in (template.rows.all() if template is not None else ()) if not r.optional]
    planned = sum((row.units for row in rows), Decimal(0))
    chosen, left = chosen_from_usable(product=product, patient=patient, planned=planned)
    session.vial = chosen[0] if chosen else None
    _check_fields(session)
    # The points as the editor saves them: so the page shows the mL to draw up from the
    # start, and the first save of an unchanged draft rewrites no point.
    points = _new_points(
        session, [{name: getattr(row, name) for name in InjectionPoint.ROW_FIELDS} for row in rows]
    )
    # The row, its points, further vials and draws, with the history rows of the session and
    # its points (and the token's claim): one statement on PostgreSQL (clinic.history_writes).
    written = insert_with_history(
        session,
        user_id=practitioner.pk,
        when=timezone.now(),
        children=[
            ("session", points),
            ("session", further_vial_links(session, chosen[1:])),
            ("session", planned_draws(session, vials=chosen, total=planned, left=left)),
        ],
        before=[claim.item] if claim else (),
        only_if=claim.name if claim else None,
        reason=reason,
    )
    return session if written else None


@dataclass(frozen=True)
class Draft:
    """What the session editor submits: the version the page was opened at, the session's
    fields (`further_vials` among them: the vials after the first) and its points."""

    expected_version: int
    fields: dict
    points: list[dict]


def _row(session: TreatmentSession) -> tuple:
    return tuple(getattr(session, f.attname) for f in session._meta.concrete_fields)


def held_links(session: TreatmentSession) -> list[SessionVial] | None:
    """The further vials the caller's copy of the session already holds (the views read
    them with the session), or None. They are the locked row's when its version is the
    one the page was opened at: every change of them bumps the version."""
    cache = getattr(session, "_prefetched_objects_cache", {})
    return list(cache["vial_links"]) if "vial_links" in cache else None


def apply_draft(
    current: TreatmentSession,
    draft: Draft,
    *,
    saved_by,
    links: list[SessionVial],
    always_save: bool,
    old_points: list[InjectionPoint] | None = None,
) -> tuple[list[InjectionPoint], list[SessionVial], selectors.VialUsage]:
    """Save the editor's submission into the locked draft `current` (`links`: its further
    vials): its fields, its points, its vials and their draws. The session row (version
    + 1, with its history row) is written when anything changed, or always with
    `always_save`. Returns the points, the further vials kept and the vials' usage
    (selectors.vial_usage)."""
    if current.version != draft.expected_version:
        raise SessionConflict(current_version=current.version)
    fields = dict(draft.fields)
    further = fields.pop("further_vials", None)
    before = _row(current)
    _record_age_verifier(current, fields, saved_by)
    for name, value in fields.items():
        setattr(current, name, value)
    _check_fields(current)
    changed = _row(current) != before
    new_points = _new_points(current, draft.points)
    # Draft points only: signed sessions never reach here.
    if old_points is None:
        old_points = list(current.points.all())
    if [_point_key(p) for p in new_points] != [_point_key(p) for p in old_points]:
        for point in new_points:
            # Field checks only (the unchanged points are the rows already checked and
            # stored): sites come from the form's own list, and the database enforces the
            # named constraints (units > 0, points >= 1) without a query per point.
            point.full_clean(
                exclude=["session", "site"], validate_unique=False, validate_constraints=False
            )
        changed |= _replace_points(current, new_points, user=saved_by, old=old_points)
    if further is not None:
        kept = set_further_vials(current, list(further), current=links)
        changed |= [link.vial_id for link in kept] != [link.vial_id for link in links]
        links = kept
    usage, kept = allocate_draws(
        current,
        vials=[v for v in (current.vial, *(link.vial for link in links)) if v is not None],
        total=sum((p.units for p in new_points), Decimal(0)),
        links=links,
        drop_unneeded=True,
    )
    changed |= len(kept) != len(links)
    if changed or always_save:
        current.version += 1
        _save(current, user=saved_by)
    return new_points, kept, usage


def session_save_draft(
    *, session: TreatmentSession, saved_by, expected_version: int, fields: dict, points: list[dict]
) -> TreatmentSession:
    """Save the draft's fields, its vials (`further_vials` in `fields`: those after the
    first) and replace its injection points. Further vials the dose does not need are
    dropped. A draft the caller read locked in its transaction (locked_draft) is written in
    that transaction, without a savepoint: an exception from here (SessionConflict, a
    ValidationError) leaves it marked for rollback, so the caller ends the block before it
    queries again."""
    with transaction.atomic(savepoint=not in_callers_lock(session)):
        current, old_points = locked_draft(session)
        links = held_links(session)
        if links is None:
            links = list(
                current.vial_links.select_related("vial__product").order_by("position", "id")
            )
        apply_draft(
            current,
            Draft(expected_version, fields, points),
            saved_by=saved_by,
            links=links,
            always_save=True,
            old_points=old_points,
        )
    return current


# An injection point's columns, in the model's order. A start, a draft save and a signing
# each build 31 points, and Model.__init__'s keyword path was the largest Python cost of
# signing; positionally the 31 take 0.23 ms, not 0.32 (in process, median of 450 builds),
# about 0.3 ms an administration.
_POINT_FIELDS = InjectionPoint._meta.concrete_fields
_POINT_ROW = frozenset(InjectionPoint.ROW_FIELDS)
_POINT_SITE = InjectionPoint._meta.get_field("site")


def _new_points(session: TreatmentSession, points: list[dict]) -> list[InjectionPoint]:
    """The draft's points as stored (unsaved): numbered from 0 in the order given, each with
    its units and volume complete at the session's first vial's dilution (rule 6), and its
    session and site held as `InjectionPoint(session=..., site=..., ...)` holds them. Each
    point is a row as the editor and the site templates give it (InjectionPoint.ROW_FIELDS)."""
    made = []
    for index, point in enumerate(points):
        if unknown := point.keys() - _POINT_ROW:
            raise TypeError(f"Not a field of a point's row: {sorted(unknown)}")
        values = point_units_and_volume(point, session.vial)
        site = values.pop("site", None)
        if site is not None and not isinstance(site, AnatomicalSite):
            raise ValueError(f"A point's site must be an AnatomicalSite, not {site!r}")
        values.update(session_id=session.pk, order=index, site_id=getattr(site, "pk", None))
        made.append(
            instance := InjectionPoint(
                *[
                    values[f.attname] if f.attname in values else f.get_default()
                    for f in _POINT_FIELDS
                ]
            )
        )
        if site is not None:
            _POINT_SITE.set_cached_value(instance, site)
    attach_related(made, "session", session)
    return made


def point_units_and_volume(point: dict, vial: Vial | None) -> dict:
    """Rule 6: volume follows units at the vial's dilution, and units follow volume, so
    what was given is complete whichever was typed (and per-site mL limits can fire).
    Rounded to the fields' places, an exact half to the even digit (5 U at 80 U/mL is
    0.062 mL): the editor's script shows the same figures (session_editor.js)."""
    point = dict(point)
    per_ml = vial.units_per_ml if vial is not None else None
    units, volume = point.get("units"), point.get("volume_ml")
    if units is None and volume is not None:
        if not per_ml:
            raise ValidationError("Enter the units: the vial has no dilution recorded.")
        point["units"] = (volume * per_ml).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    elif volume is None and units is not None and per_ml:
        point["volume_ml"] = (units / per_ml).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    return point


def _record_age_verifier(session: TreatmentSession, fields: dict, user) -> None:
    """Rule 29: who verified the age is whoever records (or changes) what was seen."""
    if "age_evidence_seen" not in fields:
        return
    seen = (fields.get("age_evidence_seen") or "").strip()
    if not seen:
        session.age_verified_by = None
    elif seen != session.age_evidence_seen or session.age_verified_by_id is None:
        session.age_verified_by = user


@transaction.atomic
def session_add_addendum(
    *, session: TreatmentSession, author, reason: str, text: str
) -> SessionAddendum:
    """The only way to correct a signed session: the original stays as signed."""
    current = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    if current.status != SessionStatus.SIGNED:
        raise ValidationError("A draft can be edited directly; addenda are for signed sessions.")
    addendum = SessionAddendum(
        session=current, author=author, reason=(reason or "").strip(), text=(text or "").strip()
    )
    addendum.full_clean()
    addendum.save()
    return addendum
