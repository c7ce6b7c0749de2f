"""Reads for treatment sessions: the access chokepoint, points and totals, the patient's
timeline with re-treatment eligibility, and a practitioner's drafts."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.prepared import Prepared, as_prefetched, attach_related
from patients.models import Patient
from patients.selectors import patient_queryset
from treatments import safety
from treatments.choices import LimitScope, SessionStatus, UnitFamily
from treatments.models import (
    DoseGuideline,
    DoseLimit,
    InjectionPoint,
    SafetyParameter,
    SessionAddendum,
    SessionVial,
    TreatmentSession,
)
from treatments.selectors.aggregates import ZERO
from treatments.selectors.draft_lock import locked_for_editor
from treatments.selectors.reference_cache import reference_snapshot, reference_stamp

SESSION_RELATED = (
    *("patient", "practitioner", "indication", "product"),
    *("vial", "vial__product", "signed_by", "top_up_of"),
)
# The editor's: six joins fewer. It serves drafts only (a signed session is sent to its
# page), which have no signer; the first vial's product is the session's own (the editor
# offers no other); the indication and product are the reference copy's, current by the
# fingerprint read with the row, and the practitioner is the user editing (nobody else
# does): all given rather than joined (session_get_for_editor). A top-up's index session
# is not read at all: the form and the engine take its id. Each join costs PostgreSQL
# planning, on a connection where the read is not yet prepared and planned, which is most
# of them in production (docs/operations.md): 2.4 ms with all eight, then 1.5 ms with
# six; with three, 0.55 ms against 1.44 (EXPLAIN, the whole read). With these two, the
# read from Python, not prepared: 1.82 -> 1.54 ms (300 reads, twice).
EDITOR_RELATED = ("patient", "vial")


def _session_with_related(public_id, related=SESSION_RELATED) -> QuerySet[TreatmentSession]:
    return TreatmentSession.objects.select_related(*related).filter(public_id=public_id)


# Compiled once per process (clinic.prepared): eight joins cost ~4 ms of CPU to compile.
_SESSION_WITH_RELATED = Prepared(
    _session_with_related, public_id=(uuid.UUID(int=1), uuid.UUID(int=2))
)
# The further vials, read as prefetch_related("vial_links") would read them, but compiled
# once too: the prefetch built and compiled its query on every call (~2-4 ms of CPU on
# every session page and POST).
_FURTHER_VIALS = Prepared(
    lambda session_id: SessionVial.objects.select_related("vial__product").filter(
        session_id=session_id
    ),
    session_id=(1, 2),
)


def session_get_for_user(*, user, public_id) -> TreatmentSession:
    """The one way views fetch a session (404 when unknown)."""
    session = _SESSION_WITH_RELATED.one_or_404("No such session", public_id=public_id)
    as_prefetched(session, "vial_links", _FURTHER_VIALS.list(session_id=session.pk))
    return session


# The editor's read (the page, the live check, draft save and signing): the same row, with
# whether it has further vials (most sessions have none: then they are not read) and the
# reference data's fingerprint (treatments.selectors.reference_cache), so that the
# request's reference copy costs no query of its own; EDITOR_RELATED's joins.
_SESSION_FOR_EDITOR = Prepared(
    lambda public_id: _session_with_related(public_id, EDITOR_RELATED).annotate(
        has_further_vials=Exists(SessionVial.objects.filter(session_id=OuterRef("pk"))),
        reference_stamp=reference_stamp(),
    ),
    public_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
)


def session_get_for_editor(*, user, public_id, for_update: bool = False) -> TreatmentSession:
    """session_get_for_user's session (404 when unknown) in one query when it has no further
    vials, with `reference_stamp` for `reference_snapshot(stamp=...)`. For the editor: a
    draft's signer is not read (it has none); its indication and product are the request's
    reference copy's (no query when this process's copy is current), its practitioner
    `user` when it is theirs; a vial of another product than the session's (which the
    editor never offers), or another practitioner (whom the editor turns away), is read
    when asked.

    `for_update` (a Save or a Sign, in the caller's transaction.atomic()): the same read,
    its row locked (FOR UPDATE OF the session alone, where the database has row locks)
    and its points read in the same statement, kept as `draft_lock` (draft_lock.DraftLock)
    for the write, which takes it as its own locked read (services.locked.locked_draft):
    one statement where the editor's read and the service's locked read were two."""
    if for_update:
        session, lock = locked_for_editor(public_id)
    else:
        session, lock = _SESSION_FOR_EDITOR.one_or_404("No such session", public_id=public_id), None
    snapshot = reference_snapshot(stamp=session.reference_stamp)
    attach_related([session], "indication", snapshot.indications.get(session.indication_id))
    attach_related([session], "product", snapshot.products.get(session.product_id))
    if user is not None and user.pk == session.practitioner_id:
        # request.user is a lazy wrapper: the User itself, as a join would have given it.
        attach_related([session], "practitioner", getattr(user, "_wrapped", user))
    if session.vial is not None:
        attach_related([session.vial], "product", session.product)
    links = _FURTHER_VIALS.list(session_id=session.pk) if session.has_further_vials else []
    as_prefetched(session, "vial_links", links)
    if lock is not None:
        # What was read, as read: the form bound to the session changes its fields.
        session.draft_lock = lock.with_related_of(session)
    return session


# The patient a session starts for, as patient_get_for_user reads it, with the reference
# data's fingerprint (the start's reference copy costs no query of its own) and whether
# the patient has an unsigned draft (the drafts themselves are read only when there is
# one: open_drafts).
_PATIENT_FOR_START = Prepared(
    lambda public_id: patient_queryset(public_id).annotate(
        reference_stamp=reference_stamp(),
        has_open_draft=Exists(
            TreatmentSession.objects.filter(patient_id=OuterRef("pk"), status=SessionStatus.DRAFT)
        ),
    ),
    public_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
)


def patient_for_session_start(*, user, public_id) -> Patient:
    """patient_get_for_user's patient (404 when unknown), with `reference_stamp` and
    `has_open_draft`."""
    return _PATIENT_FOR_START.one_or_404("No such patient", public_id=public_id)


def open_drafts(*, patient_id) -> list[TreatmentSession]:
    """The patient's unsigned sessions (anyone's, for any indication), oldest first, with
    their practitioner, indication and product: what a new session's start shows and asks
    to be acknowledged (services.session_start's `other_drafts`)."""
    return list(
        TreatmentSession.objects.filter(patient_id=patient_id, status=SessionStatus.DRAFT)
        .select_related("practitioner", "indication", "product")
        .order_by("created_at", "id")
    )


def session_points(*, session: TreatmentSession) -> list[InjectionPoint]:
    return list(session.points.select_related("site").order_by("order", "id"))


def session_detail_related(*, session: TreatmentSession) -> dict:
    return {
        "points": session_points(session=session),
        # The units drawn from each vial (one draw per vial): what a recall of a lot or a
        # vial's reconciliation asks of the session ({vial id: units}).
        "drawn": dict(session.draws.order_by().values_list("vial_id", "units")),
        "findings": list(session.findings.select_related("recorded_by")),
        "addenda": list(session.addenda.select_related("author")),
        "follow_ups": list(session.follow_ups.select_related("done_by")),
        "side_effects": list(session.side_effects.select_related("term")),
    }


@dataclass
class Totals:
    overall: Decimal
    sites: int
    by_muscle: list[tuple[str, Decimal]]
    by_side: list[tuple[str, Decimal]]


def point_totals(points: list[safety.PointFacts]) -> Totals:
    by_muscle: dict[str, Decimal] = {}
    by_side: dict[str, Decimal] = {}
    for point in points:
        by_muscle[point.muscle_group or point.site_name] = (
            by_muscle.get(point.muscle_group or point.site_name, Decimal(0)) + point.units
        )
        by_side[point.side] = by_side.get(point.side, Decimal(0)) + point.units
    return Totals(
        overall=sum((p.units for p in points), Decimal(0)),
        sites=sum(p.points for p in points),
        by_muscle=sorted(by_muscle.items()),
        by_side=sorted(by_side.items()),
    )


@dataclass
class TimelineEntry:
    session: TreatmentSession
    total_units: Decimal
    days_since_previous: int | None


@dataclass
class Eligibility:
    indication: str
    product_family: str
    last_on: date
    next_eligible_on: date
    # The dose guideline's sources when its interval applies (its product and indication),
    # else "": the indication's own interval (DOMAIN §3.2), as the engine cites it.
    source: str = ""


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    eligibility: list[Eligibility]
    # Unit family label, units in the cumulative window (84 days as seeded).
    cumulative_84d: list[tuple[str, Decimal]]
    # The window those totals cover: rules 8-9's cumulative limit's (DoseLimit.window_days);
    # None, with no totals, when the reference data has no such limit.
    cumulative_window_days: int | None = None


# The window of rules 8-9's cumulative limits (a rolling window over all products and
# indications of a unit family: DoseLimit with no product or indication), the longest if
# they differ; NULL when the reference data has none.
_CUMULATIVE_WINDOW = (
    DoseLimit.objects.filter(
        scope=LimitScope.ROLLING_WINDOW,
        product__isnull=True,
        indication__isnull=True,
        window_days__isnull=False,
    )
    .order_by("-window_days")
    .values("window_days")[:1]
)


def patient_timeline(*, patient: Patient, today: date | None = None) -> Timeline:
    """Sessions newest first with their totals, the interval since the previous session for
    the same indication (the re-treatment interval: two areas treated the same day are not
    "0 days" apart; browser review 07/12/2026), the next eligible date per indication and
    product family, and units in the cumulative window of rules 8-9 (84 days as seeded;
    reference data) per unit family (never added across families). Two queries."""
    today = today or timezone.localdate()
    sessions = list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("indication", "product", "practitioner", "vial")
        .annotate(
            total_units=Coalesce(Sum("points__units"), ZERO),
            # Read in the same query (uncorrelated: evaluated once), so the page pays no
            # query for it.
            cumulative_window=Subquery(_CUMULATIVE_WINDOW),
            # Corrected since signing: the record says so beside the session.
            has_addendum=Exists(SessionAddendum.objects.filter(session=OuterRef("pk"))),
        )
        .order_by("-performed_at", "-id")
    )
    # One walk, oldest first, keeping each indication's last day (newest first on the page).
    last_on: dict[int, date] = {}
    days_since: dict[int, int | None] = {}
    for session in reversed(sessions):
        if session.status == SessionStatus.WITHDRAWN:
            # Not given: no interval to it or from it.
            days_since[session.pk] = None
            continue
        on = timezone.localdate(session.performed_at)
        before = last_on.get(session.indication_id)
        days_since[session.pk] = (on - before).days if before is not None else None
        last_on[session.indication_id] = on
    entries = [TimelineEntry(s, s.total_units, days_since[s.pk]) for s in sessions]
    guidelines = (
        {
            (g.product_id, g.indication_id): g
            for g in DoseGuideline.objects.filter(
                indication__in={s.indication_id for s in sessions}
            ).only("product_id", "indication_id", "min_interval_days", "source")
        }
        if sessions
        else {}
    )
    latest: dict[tuple[int, str], TreatmentSession] = {}
    for session in sessions:
        if session.status != SessionStatus.SIGNED:
            continue
        latest.setdefault((session.indication_id, session.product.unit_family), session)
    eligibility = []
    for (_, family), session in latest.items():
        # The guideline's interval if it sets one, else the indication's (the engine's
        # treatments.safety.rules.intervals.min_interval_days).
        guideline = guidelines.get((session.product_id, session.indication_id))
        from_guideline = guideline is not None and guideline.min_interval_days is not None
        interval = (
            guideline.min_interval_days if from_guideline else session.indication.min_interval_days
        )
        last_on = timezone.localdate(session.performed_at)
        eligibility.append(
            Eligibility(
                indication=session.indication.name,
                product_family=UnitFamily(family).label,
                last_on=last_on,
                next_eligible_on=last_on + timedelta(days=interval),
                source=guideline.source if from_guideline else "",
            )
        )
    window = sessions[0].cumulative_window if latest else None
    cumulative: dict[str, Decimal] = {}
    if window:
        # As the engine counts a window (safety.measures.within): 0..window-1 days ago.
        window_start = today - timedelta(days=window - 1)
        for session in sessions:
            if session.status == SessionStatus.SIGNED and (
                timezone.localdate(session.performed_at) >= window_start
            ):
                label = UnitFamily(session.product.unit_family).label
                cumulative[label] = cumulative.get(label, Decimal(0)) + session.total_units
    return Timeline(
        entries,
        sorted(eligibility, key=lambda e: e.next_eligible_on),
        sorted(cumulative.items()),
        window,
    )


_DRAFTS = Prepared(  # the practitioner's home page, on every visit
    lambda practitioner_id: (
        TreatmentSession.objects.filter(practitioner_id=practitioner_id, status=SessionStatus.DRAFT)
        .select_related("patient", "indication", "product")
        .order_by("performed_at", "id")[:20]
    ),
    practitioner_id=(-1, -2),
)


def session_list_drafts(*, practitioner) -> list[TreatmentSession]:
    """A practitioner's unsigned sessions, oldest first (chart compliance)."""
    return _DRAFTS.list(practitioner_id=practitioner.pk)


def session_top_up_candidates(
    *, session: TreatmentSession, parameters: dict | None = None
) -> list[TreatmentSession]:
    """The sessions this draft may be a top-up of (DOMAIN §10 rule 20): the patient's signed
    sessions for the same indication and unit family within the top-up window before its
    date, and the one it is already linked to. One query, and one for the window unless
    the safety `parameters` are given."""
    if parameters is None:
        parameters = dict(
            SafetyParameter.objects.filter(key="top_up_window_days").values_list("key", "value")
        )
    window = parameters.get("top_up_window_days")
    if window is None:
        raise safety.MissingParameterError(["top_up_window_days"])
    on = timezone.localdate(session.performed_at)
    linked = session.top_up_of_id is not None
    return _TOP_UP_CANDIDATES[linked].list(
        patient_id=session.patient_id,
        indication_id=session.indication_id,
        unit_family=session.product.unit_family,
        since=_days_before(on, int(window) - 1),
        on=on,
        top_up_of_id=session.top_up_of_id,
        session_id=session.pk,
    )


def _days_before(day: date, days: int) -> date:
    """`day` less `days`, or the calendar's first day for a draft dated near year 1 (a row
    saved before the editor refused such dates): its page opens instead of a 500."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def _top_up_candidates(
    *, patient_id, indication_id, unit_family, since, on, top_up_of_id=None, session_id
) -> QuerySet[TreatmentSession]:
    candidates = TreatmentSession.objects.filter(
        patient_id=patient_id,
        status=SessionStatus.SIGNED,
        indication_id=indication_id,
        product__unit_family=unit_family,
        performed_at__date__gte=since,
        performed_at__date__lte=on,
    )
    if top_up_of_id is not None:
        candidates |= TreatmentSession.objects.filter(pk=top_up_of_id)
    return (
        candidates.exclude(pk=session_id)
        .select_related("product", "indication")
        .order_by("-performed_at", "-id")
    )


def _prepared_top_up_candidates(linked: bool) -> Prepared:
    return Prepared(
        _top_up_candidates,
        patient_id=(-1001, -1002),
        indication_id=(-2001, -2002),
        unit_family=("sample-a", "sample-b"),
        since=(date(2001, 2, 3), date(2002, 3, 4)),
        on=(date(2003, 4, 5), date(2004, 5, 6)),
        session_id=(-3001, -3002),
        **({"top_up_of_id": (-4001, -4002)} if linked else {}),
    )


# Compiled once per process (clinic.prepared), one shape with a linked session, one without.
_TOP_UP_CANDIDATES = {linked: _prepared_top_up_candidates(linked) for linked in (False, True)}
