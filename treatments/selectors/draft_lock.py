"""The session editor's submission (Save draft, Sign) reads its draft once: the row locked
(FOR UPDATE OF the session alone, where the database has row locks), with what the
editor's read brings (selectors.sessions.session_get_for_editor) and the draft's points,
in the caller's transaction. The write joins that transaction and takes this read as its
own locked read (treatments.services.locked.locked_draft) while it holds: `DraftLock`.

Split from sessions.py by concept: the hand-written locked statement and the hand-off's
rules (when a read may stand for the write's own)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404

from clinic.prepared import attach_related, build_instance
from patients.models import Patient
from treatments.models import InjectionPoint, SessionVial, TreatmentSession, Vial
from treatments.selectors.reference_cache import reference_stamp

# What the services keep of the draft's relations (services.locked: the same five).
_RELATED = [
    TreatmentSession._meta.get_field(name)
    for name in ("patient", "practitioner", "indication", "product", "vial")
]


@dataclass(frozen=True)
class DraftLock:
    """The draft as `locked_for_editor` read it under its row lock: its columns (`row`, as
    read, before a form bound to the instance changed it), the related objects read or
    given with it (`related`), and its points in order.

    It stands for the write's own locked read only while it holds (`holds`): `marker` is
    among the transaction's on-commit hooks, with the savepoints that were active at the
    read still active. Django drops the hook when the transaction commits or rolls back,
    or rolls back to a savepoint taken before the read (which releases the row lock too);
    a block that ended inside a longer transaction (a test's, a shell's) no longer has its
    savepoint. A write through another instance of the same draft in the same transaction
    is not seen here: the write's version check is what catches it.

    The row is the latest (a read that waited for the lock sees the row as the other
    transaction left it), but its points, the further vials' EXISTS and the vial joined
    come from the statement's snapshot, which may be older. They are sound for the write
    only because every change to a draft's points or vials also raises its version, under
    this row lock (services.sessions.apply_draft): a read that waited for such a change
    finds a version other than the page's, and the write refuses it (SessionConflict)."""

    row: tuple
    related: dict
    points: list
    marker: Callable[[], None]

    def holds(self, using: str = DEFAULT_DB_ALIAS) -> bool:
        connection = connections[using]
        if not connection.in_atomic_block:
            return False
        active = set(connection.savepoint_ids)
        return any(
            hook is self.marker and sids <= active for sids, hook, _ in connection.run_on_commit
        )

    def with_related_of(self, session: TreatmentSession) -> DraftLock:
        """This lock with the relations `session` holds now (given after the read: the
        indication and product from the reference copy, the practitioner as the user)."""
        related = {f.name: f.get_cached_value(session) for f in _RELATED if f.is_cached(session)}
        return replace(self, related=related)


@functools.cache
def _locked_editor_sql(alias: str) -> tuple[str, tuple[int, int, int]]:
    """The locked read's SQL (written once per process and database) and the widths of its
    session, patient and vial columns. The draft's row, locked, with the editor's joins
    (its patient and first vial: selectors.sessions.EDITOR_RELATED), the further vials'
    EXISTS and the reference fingerprint, as the editor's read has them (a WITH item);
    then its points, in order. Side by side (as clinic.prepared.read_side_by_side): the
    draft's one row (kind 0) with NULLs for a point's columns, and each point's (kind 1)
    with NULLs for the draft's, so that the draft's hundred columns are sent and converted
    once, not once per point."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    models = (TreatmentSession, Patient, Vial)

    def columns(alias: str, model) -> list[str]:
        return [f"{alias}.{qn(field.column)}" for field in model._meta.concrete_fields]

    session_table, patient_table, vial_table = (qn(model._meta.db_table) for model in models)
    session_fk = {
        name: qn(TreatmentSession._meta.get_field(name).column) for name in ("patient", "vial")
    }
    link_fk = qn(SessionVial._meta.get_field("session").column)
    links = qn(SessionVial._meta.db_table)
    drafted = [
        *columns("s", TreatmentSession),
        *columns("pa", Patient),
        *columns("v", Vial),
        f"EXISTS (SELECT 1 FROM {links} f WHERE f.{link_fk} = s.id)",  # noqa: S608 (the models' own tables)
        reference_stamp().sql,
    ]
    # Only the first column named (the others keep theirs, some alike: only `d.*` reads
    # them): the statement stays under psycopg's 4 KB for caching its parse.
    named = ", ".join([f"{drafted[0]} AS c0", *drafted[1:]])
    draft = (
        f"SELECT {named} FROM {session_table} s "  # noqa: S608 (idem)
        f"INNER JOIN {patient_table} pa ON pa.id = s.{session_fk['patient']} "
        f"LEFT JOIN {vial_table} v ON v.id = s.{session_fk['vial']} "
        f"WHERE s.{qn('public_id')} = %s"
    )
    if connection.features.has_select_for_update_of:
        draft += " FOR UPDATE OF s"
    point_fk = qn(InjectionPoint._meta.get_field("session").column)
    sql = (
        f"WITH d AS ({draft}) "  # noqa: S608 (idem)
        f"SELECT d.*, {', '.join(columns('p', InjectionPoint))} "
        "FROM (SELECT 0 AS kind UNION ALL SELECT 1 AS kind) k "
        "LEFT JOIN d ON k.kind = 0 "
        f"LEFT JOIN {qn(InjectionPoint._meta.db_table)} p "
        f"ON k.kind = 1 AND p.{point_fk} = (SELECT c0 FROM d) "
        f"ORDER BY k.kind, p.{qn('order')}, p.id"
    )
    return sql, tuple(len(model._meta.concrete_fields) for model in models)


def locked_for_editor(public_id) -> tuple[TreatmentSession, DraftLock]:
    """The session, built as the editor's read builds it (its patient and vial attached,
    `has_further_vials`, `reference_stamp`), and its DraftLock (relations as read: the
    caller adds those it gives, DraftLock.with_related_of). 404 when unknown."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise TransactionManagementError("A draft is locked for a write in its transaction.")
    if not isinstance(public_id, uuid.UUID):
        try:
            public_id = uuid.UUID(str(public_id))
        except ValueError:
            raise Http404("No such session") from None
    sql, widths = _locked_editor_sql(connection.alias)
    session_width, patient_width, vial_width = widths
    key = TreatmentSession._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        first, *others = cursor.fetchall()
    if first[0] is None:  # the draft's row is first (kind 0): NULLs when there is none
        raise Http404("No such session")
    patient_at = session_width
    vial_at = patient_at + patient_width
    further_at = vial_at + vial_width
    points_at = further_at + 2
    row = first[:session_width]
    session = build_instance(TreatmentSession, row)
    session.has_further_vials = bool(first[further_at])
    session.reference_stamp = first[further_at + 1]
    attach_related([session], "patient", build_instance(Patient, first[patient_at:vial_at]))
    if first[vial_at] is not None:
        attach_related([session], "vial", build_instance(Vial, first[vial_at:further_at]))
    points = [
        build_instance(InjectionPoint, r[points_at:]) for r in others if r[points_at] is not None
    ]

    def marker() -> None:
        """Nothing to do at commit: its presence says the lock holds (DraftLock.holds)."""

    transaction.on_commit(marker, using=connection.alias)
    return session, DraftLock(row=row, related={}, points=points, marker=marker)
