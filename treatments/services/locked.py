"""The draft a session write works on: its row locked (FOR UPDATE OF the session alone,
where the database has row locks), read with its points in one statement, or with its
patient, practitioner, indication, product and vial joined. A signed or withdrawn session
is refused here, so every write to a session (draft save, sign, draws, withdrawal) goes
through this check.

Split from sessions.py (the writes themselves) by concept: how the locked row is read and
built into model instances from a hand-written SELECT."""

from django.db import connection

from clinic.prepared import build_instance
from treatments.choices import SessionStatus
from treatments.models import InjectionPoint, TreatmentSession, Vial


class SessionLocked(Exception):
    """A signed session is immutable: correct it with an addendum."""


class SessionWithdrawn(SessionLocked):
    """A withdrawn session (treatment not given) is final: nothing more is written to it."""


def refuse_final(session: TreatmentSession) -> None:
    """Raise SessionLocked for a signed session, SessionWithdrawn for a withdrawn one."""
    if session.status == SessionStatus.SIGNED:
        raise SessionLocked("This session is signed: add an addendum instead.")
    if session.status == SessionStatus.WITHDRAWN:
        raise SessionWithdrawn(
            "This session was withdrawn (treatment not given): it can no longer be changed."
        )


_RELATED = ("patient", "practitioner", "indication", "product", "vial")


def _locked_with_points(pk: int) -> tuple[TreatmentSession | None, list[InjectionPoint]]:
    """The draft's row, locked (FOR UPDATE OF the session alone, where the database has
    row locks), and its points in order: one SELECT of the session LEFT JOIN its points."""
    qn = connection.ops.quote_name
    session_fields = TreatmentSession._meta.concrete_fields
    point_fields = InjectionPoint._meta.concrete_fields
    columns = ", ".join(
        [f"s.{qn(f.column)}" for f in session_fields] + [f"p.{qn(f.column)}" for f in point_fields]
    )
    sql = (
        f"SELECT {columns} FROM {qn(TreatmentSession._meta.db_table)} s "  # noqa: S608 (the models' own tables)
        f"LEFT JOIN {qn(InjectionPoint._meta.db_table)} p ON p.session_id = s.id "
        f"WHERE s.id = %s ORDER BY p.{qn('order')}, p.id"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    width = len(session_fields)
    current = build_instance(TreatmentSession, rows[0][:width])
    points = [build_instance(InjectionPoint, row[width:]) for row in rows if row[width] is not None]
    return current, points


def in_callers_lock(session: TreatmentSession) -> bool:
    """Whether `session` was read and locked for this write in the caller's transaction,
    still held (selectors.session_get_for_editor(for_update=True)): the write then joins
    that transaction, without a savepoint of its own (the caller's block is the unit)."""
    lock = getattr(session, "draft_lock", None)
    return lock is not None and lock.holds()


def locked_draft(session: TreatmentSession) -> tuple[TreatmentSession, list | None]:
    """The draft, locked (its row only), with what the services read of it: the caller's
    copies of its patient, practitioner, indication, product (fixed when a session starts)
    and vial (when still the same) when the caller read them with the session, and then
    its points read in the same statement; else joined in the same query, and the points
    (None) left to read.

    A draft the caller read and locked in this transaction (in_callers_lock) is not read
    again: the row as that read found it, its related objects and points. Taken once: a
    second write in the same transaction reads the row it left."""
    lock = getattr(session, "draft_lock", None)
    if lock is not None:
        session.draft_lock = None
        if lock.holds():
            current = build_instance(TreatmentSession, lock.row)
            for name, related in lock.related.items():
                TreatmentSession._meta.get_field(name).set_cached_value(current, related)
            refuse_final(current)
            return current, list(lock.points)
    fields = [TreatmentSession._meta.get_field(name) for name in _RELATED]
    held = all(f.is_cached(session) for f in fields) and (
        session.vial is None or Vial._meta.get_field("product").is_cached(session.vial)
    )
    points = None
    if held:
        current, points = _locked_with_points(session.pk)
        if current is None:
            raise TreatmentSession.DoesNotExist
    else:
        current = (
            TreatmentSession.objects.select_for_update(of=("self",))
            .select_related("patient", "practitioner", "indication", "product", "vial__product")
            .get(pk=session.pk)
        )
    refuse_final(current)
    if held:
        for field in fields:
            if getattr(current, field.attname) == getattr(session, field.attname):
                field.set_cached_value(current, field.get_cached_value(session))
    return current, points
