"""Rows written together with their django-simple-history rows, in as few statements as the
database allows (issue 14.3: a 31-point session is written on every draft save).

django-simple-history writes one history row per saved object from its post_save signal.
These functions write the rows and their history rows themselves, as simple-history would
have written them ("+" added, "~" changed, "-" removed; `history_date`, `history_user_id`,
no change reason), with every history row copied from the row as the database holds it:

- on PostgreSQL, the write and its history rows are ONE statement: a data-modifying CTE
  whose history INSERT reads what the write RETURNs (a replace: the DELETE, the INSERT
  and all history rows in one statement);
- elsewhere (SQLite), the write, then the history rows selected from the table in one
  INSERT ... SELECT (a replace: the new rows, the history of old and new, the DELETE).

No Django signals are sent for these rows: callers use them for models whose only
post_save/post_delete receivers are simple-history's (TreatmentSession, InjectionPoint,
SessionVial and VialDraw, which keep no history), or that do what the other receivers do
themselves (a new Patient: patients.services).
tests/clinic/test_history_writes.py checks both paths against simple-history's own rows.
"""

from __future__ import annotations

import re
from functools import cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


class _Spec:
    """A model's table and, when it keeps history, its history table and the columns they
    share (simple-history's tracked fields)."""

    def __init__(self, model):
        qn = connection.ops.quote_name
        self.model = model
        self.table = qn(model._meta.db_table)
        self.pk = qn(model._meta.pk.column)
        self.pk_type = model._meta.pk.rel_db_type(connection)
        # The fields a write sets: every concrete one but an auto primary key.
        self.fields = [
            f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)
        ]
        self.columns = ", ".join(qn(f.column) for f in self.fields)
        self.is_postgresql = connection.vendor == "postgresql"
        if self.is_postgresql:
            self.array_types = [_array_type(f.db_type(connection)) for f in self.fields]
        history = getattr(getattr(model, "history", None), "model", None)
        self.keeps_history = history is not None
        if history is None:
            return
        tracked = history.tracked_fields
        self.source = ", ".join(qn(f.column) for f in tracked)
        extra = {f.column for f in history._meta.concrete_fields} - {
            history._meta.get_field(f.name).column for f in tracked
        }
        if extra != {"history_id", *HISTORY_COLUMNS}:  # a custom history model: not handled
            raise NotImplementedError(f"{history._meta.label}: {sorted(extra)}")
        self.history_insert = (
            f"INSERT INTO {qn(history._meta.db_table)} "
            f"({', '.join(qn(history._meta.get_field(f.name).column) for f in tracked)}, "
            f"{', '.join(qn(c) for c in HISTORY_COLUMNS)}) "
        )
        self.history_date = history._meta.get_field("history_date")


def _array_type(db_type: str) -> str:
    """The array type an UNNEST parameter of a column is cast to. A varchar's length is
    left to the column: an explicit cast to varchar(n) cuts a longer value short in
    silence, where storing it in the column refuses it. timestamptz is the short name."""
    db_type = _VARCHAR.sub("varchar", db_type)
    return f"{_SHORT_NAMES.get(db_type, db_type)}[]"


_VARCHAR = re.compile(r"^varchar\(\d+\)$")
_SHORT_NAMES = {"timestamp with time zone": "timestamptz"}


@cache
def _spec(model) -> _Spec:
    return _Spec(model)


def _values(spec: _Spec, obj, *, add: bool) -> list:
    # pre_save: what save() would store (auto_now fields set to now). The connection itself,
    # not django.db.connection: every attribute read through that proxy is a thread-local
    # lookup, and the fields' adaptation reads a few per value (half of this function's
    # time for a 31-point session).
    db = connections[DEFAULT_DB_ALIAS]
    return [f.get_db_prep_save(f.pre_save(obj, add), db) for f in spec.fields]


def _mark_saved(spec: _Spec, objs, pks) -> None:
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _history_select(
    spec: _Spec, source: str, history_type: str, when, user_id, reason: str | None = None
) -> tuple[str, list]:
    """The history rows of `source`'s rows; `reason`: their history_change_reason, written
    with them (the runtime role may not UPDATE a history row afterwards: clinic.db_roles)."""
    when = spec.history_date.get_db_prep_save(when, connection)
    if reason is None:  # the common case: the statement as it always was (psycopg caches it)
        sql = f"SELECT {spec.source}, %s, NULL, %s, %s FROM {source}"
        return sql, [when, history_type, user_id]
    return (
        f"SELECT {spec.source}, %s, %s, %s, %s FROM {source}",
        [when, reason, history_type, user_id],
    )


def _insert_sql(
    spec: _Spec, objs, *, computed: dict | None = None, only_if: str | None = None
) -> tuple[str, list]:
    """The INSERT of the unsaved `objs`. `computed` (PostgreSQL only): {attname: (an SQL
    expression, its parameters)}, columns every row takes from the statement rather than
    from the objects (a parent row's key, a number the same statement allocates);
    `only_if` (PostgreSQL only): a WITH item of the same statement, no row inserted unless
    it returned one."""
    rows = [_values(spec, obj, add=True) for obj in objs]
    if spec.is_postgresql:
        # One array per column (UNNEST): a 31-row insert binds 7 parameters, not 217.
        columns = [list(column) for column in zip(*rows, strict=True)]
        computed = computed or {}
        own = [i for i, f in enumerate(spec.fields) if f.attname not in computed]
        if len(own) != len(spec.fields) - len(computed):
            raise ValueError(f"{spec.model._meta.label} lacks a field of {sorted(computed)}")
        arrays = ", ".join(f"%s::{spec.array_types[i]}" for i in own)
        names = ", ".join(f"c{i}" for i in own)
        select, params = [], []
        for i, f in enumerate(spec.fields):
            if f.attname in computed:
                expression, more = computed[f.attname]
                select.append(expression)
                params += more
            else:
                select.append(f"u.c{i}")
        where = f" WHERE EXISTS (SELECT 1 FROM {only_if})" if only_if else ""
        return (
            f"INSERT INTO {spec.table} ({spec.columns}) "
            f"SELECT {', '.join(select)} FROM UNNEST({arrays}) AS u({names}){where}",
            params + [columns[i] for i in own],
        )
    one = f"({', '.join(['%s'] * len(spec.fields))})"
    return (
        f"INSERT INTO {spec.table} ({spec.columns}) VALUES {', '.join([one] * len(rows))}",
        [value for row in rows for value in row],
    )


def _in(spec: _Spec, pks) -> tuple[str, list]:
    if spec.is_postgresql:
        return f"{spec.pk} = ANY(%s::{spec.pk_type}[])", [list(pks)]
    return f"{spec.pk} IN ({', '.join(['%s'] * len(pks))})", list(pks)


def replace_with_history(model, *, old_pks=(), new=(), user_id, when, reason=None) -> None:
    """Delete the rows `old_pks` of `model` and insert the unsaved objects `new` (their
    primary keys set), with a "-" history row for each deleted row and a "+" one for each
    new row (`reason`: the "+" rows' change reason), the "-" rows first. PostgreSQL: one
    statement; SQLite: one per step."""
    spec = _spec(model)
    old_pks, new = list(old_pks), list(new)
    if not old_pks and not new:
        return
    with connection.cursor() as cursor:
        if spec.is_postgresql:
            parts, params, selects = [], [], []
            if old_pks:
                where, where_params = _in(spec, old_pks)
                parts.append(f"gone AS (DELETE FROM {spec.table} WHERE {where} RETURNING *)")
                params += where_params
                sql, more = _history_select(spec, "gone", "-", when, user_id)
                selects.append((sql, more))
            if new:
                insert, more = _insert_sql(spec, new)
                parts.append(f"made AS ({insert} RETURNING *)")
                params += more
                sql, more = _history_select(spec, "made", "+", when, user_id, reason)
                selects.append((sql, more))
            union = " UNION ALL ".join(sql for sql, _ in selects)
            params += [p for _, more in selects for p in more]
            tail = f"SELECT {spec.pk} FROM made" if new else "SELECT 1"
            cursor.execute(
                f"WITH {', '.join(parts)}, history AS ({spec.history_insert}{union}) {tail}",
                params,
            )
            if new:
                _mark_saved(spec, new, [row[0] for row in cursor.fetchall()])
            return
        if new:
            insert, params = _insert_sql(spec, new)
            cursor.execute(f"{insert} RETURNING {spec.pk}", params)
            _mark_saved(spec, new, [row[0] for row in cursor.fetchall()])
        selects, params = [], []
        for pks, history_type in ((old_pks, "-"), ([o.pk for o in new], "+")):
            if pks:
                where, where_params = _in(spec, pks)
                sql, more = _history_select(
                    spec,
                    f"{spec.table} WHERE {where}",
                    history_type,
                    when,
                    user_id,
                    reason if history_type == "+" else None,
                )
                selects.append(sql)
                params += more + where_params
        cursor.execute(f"{spec.history_insert}{' UNION ALL '.join(selects)}", params)
        if old_pks:
            where, where_params = _in(spec, old_pks)
            cursor.execute(f"DELETE FROM {spec.table} WHERE {where}", where_params)


def insert_with_history(
    obj,
    *,
    user_id,
    when,
    children=(),
    computed=None,
    before=(),
    also=(),
    only_if=None,
    reason=None,
) -> bool:
    """INSERT the unsaved `obj` (its primary key set) and its "+" history row (`reason`:
    that row's change reason; its children's have none).

    `children`: (foreign key name, unsaved objects) pairs, rows of other models that point
    at `obj` through that key (a new session's points, further vials and draws), inserted
    after it with a "+" history row each when their model keeps history, without signals
    as bulk_create would; their primary keys and that key are set. PostgreSQL: all in one
    statement, the children taking the key the parent's INSERT returns; SQLite: the row,
    then each batch and its history rows.

    PostgreSQL only, in the same statement (a new patient's record number and the
    registrations per day): `before`, (name, SQL, parameters) WITH items written ahead of
    the row, such as a counter's INSERT ... ON CONFLICT DO UPDATE ... RETURNING;
    `computed`, {attname: (SQL expression, parameters)}, columns the statement works out
    (from `before`'s items), their values set on `obj`; `also`, (SQL, parameters) further
    writes, which read the new row as `made`; `only_if`, the name of a `before` item (a
    one-time token's claim): when it returns no row, nothing is inserted (the row, its
    children, their history rows) and False is returned. True when the row was written."""
    children = [(name, list(objs)) for name, objs in children if objs]
    spec = _spec(type(obj))
    computed = dict(computed or {})
    if (computed or before or also or only_if) and not spec.is_postgresql:
        raise ValueError("computed columns and further WITH items need PostgreSQL")
    if only_if is not None and only_if not in {name for name, _, _ in before}:
        raise ValueError(f"only_if: {only_if!r} is not a WITH item written before the row")
    if not (children or computed or before or also) or not spec.is_postgresql:
        replace_with_history(type(obj), new=[obj], user_id=user_id, when=when, reason=reason)
        for name, objs in children:
            _adopt(obj, name, objs)
            if _spec(type(objs[0])).keeps_history:
                replace_with_history(type(objs[0]), new=objs, user_id=user_id, when=when)
            else:
                type(objs[0]).objects.bulk_create(objs)
        return True
    parts, params = [], []
    for name, sql, more in before:
        parts.append(f"{name} AS ({sql})")
        params += more
    insert, more = _insert_sql(spec, [obj], computed=computed, only_if=only_if)
    parts.append(f"made AS ({insert} RETURNING *)")
    params += more
    histories = [(spec, *_history_select(spec, "made", "+", when, user_id, reason))]
    qn = connection.ops.quote_name
    fields = [f for f in spec.fields if f.attname in computed]
    extra = "".join(f", {qn(f.column)}" for f in fields)
    tails = [f"SELECT 0, {spec.pk}{extra} FROM made"]
    nulls = ", NULL" * len(fields)
    for index, (name, objs) in enumerate(children, start=1):
        child = _spec(type(objs[0]))
        key = {child.model._meta.get_field(name).attname: (f"(SELECT {spec.pk} FROM made)", [])}
        sql, more = _insert_sql(child, objs, computed=key, only_if="made" if only_if else None)
        historied = child.keeps_history
        parts.append(f"child_{index} AS ({sql} RETURNING {'*' if historied else child.pk})")
        params += more
        if historied:
            histories.append((child, *_history_select(child, f"child_{index}", "+", when, user_id)))
        tails.append(f"SELECT {index}, {child.pk}{nulls} FROM child_{index}")
    for index, (owner, sql, more) in enumerate(histories):
        parts.append(f"history_{index} AS ({owner.history_insert}{sql})")
        params += more
    for index, (sql, more) in enumerate(also):
        parts.append(f"also_{index} AS ({sql})")
        params += more
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {' UNION ALL '.join(tails)}", params)
        pks, values = {}, None
        for tag, pk, *rest in cursor.fetchall():
            pks.setdefault(tag, []).append(pk)
            if tag == 0:
                values = rest
    if 0 not in pks:  # only_if's item returned no row: nothing was written
        return False
    _mark_saved(spec, [obj], pks[0])
    for field, value in zip(fields, values, strict=True):
        setattr(obj, field.attname, field.to_python(value))
    for index, (name, objs) in enumerate(children, start=1):
        _adopt(obj, name, objs)
        _mark_saved(_spec(type(objs[0])), objs, pks[index])
    return True


def _adopt(parent, name: str, objs) -> None:
    """Point the children's foreign key `name` at the saved `parent`."""
    for child in objs:
        setattr(child, name, parent)


def takes_with_items() -> bool:
    """Whether the writes here take further WITH items (`also`) in their own statement:
    PostgreSQL's data-modifying CTEs. Elsewhere (SQLite) each write is its own statement,
    and a caller writes what it would have added after."""
    return connection.vendor == "postgresql"


def update_with_history(obj, *, user_id, when, inserts=(), also=(), reason=None) -> None:
    """UPDATE every field of the saved `obj` (auto_now fields set now, as save() does) and
    write its "~" history row (`reason`: that row's change reason). `inserts`: lists of
    unsaved objects of other models to INSERT with it, without history rows or signals,
    as bulk_create would (their primary keys are not set), rows that do not depend on this
    update. `also` (PostgreSQL only):
    further (name, SQL, parameters) WITH items written in the same statement, such as
    update_where_items gives. PostgreSQL: all in one statement; SQLite: each INSERT, the
    UPDATE, the history row."""
    spec = _spec(type(obj))
    if also and not spec.is_postgresql:
        raise ValueError("further WITH items need PostgreSQL")
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in spec.fields)
    params = [*_values(spec, obj, add=False), obj.pk]
    update = f"UPDATE {spec.table} SET {assignments} WHERE {spec.pk} = %s"
    others = [_insert_sql(_spec(type(rows[0])), rows) for rows in inserts if rows]
    with connection.cursor() as cursor:
        if spec.is_postgresql:
            parts = [f"changed AS ({update} RETURNING *)"]
            for index, (sql, more) in enumerate(others):
                parts.append(f"also_{index} AS ({sql})")
                params += more
            for name, sql, more in also:
                parts.append(f"{name} AS ({sql})")
                params += more
            sql, more = _history_select(spec, "changed", "~", when, user_id, reason)
            cursor.execute(f"WITH {', '.join(parts)} {spec.history_insert}{sql}", params + more)
        else:
            for sql, more in others:
                cursor.execute(sql, more)
            cursor.execute(update, params)
            sql, more = _history_select(
                spec, f"{spec.table} WHERE {spec.pk} = %s", "~", when, user_id, reason
            )
            cursor.execute(f"{spec.history_insert}{sql}", [*more, obj.pk])
        if cursor.rowcount != 1:  # the history rows written: one per row updated
            raise DatabaseError(f"{spec.model._meta.label} {obj.pk} was not updated")


def _update_where(queryset, values: dict, increment) -> tuple[_Spec, str, list]:
    """The UPDATE (without its WHERE) of update_where_with_history, with its parameters."""
    model = queryset.model
    spec = _spec(model)
    qn = connection.ops.quote_name
    db = connections[DEFAULT_DB_ALIAS]
    assignments, set_params = [], []
    for name, value in values.items():
        field = model._meta.get_field(name)
        assignments.append(f"{qn(field.column)} = %s")
        set_params.append(field.get_db_prep_save(value, db))
    for name in increment:
        column = qn(model._meta.get_field(name).column)
        assignments.append(f"{column} = {column} + 1")
    query = queryset.query
    if sum(1 for refs in query.alias_refcount.values() if refs) > 1:
        raise ValueError("update_where_with_history: filters on the model's own table only")
    return spec, f"UPDATE {spec.table} SET {', '.join(assignments)}", set_params


def _where(queryset) -> tuple[str, list]:
    query = queryset.query
    return query.get_compiler(connection=connection).compile(query.where)


def update_where_items(
    queryset, *, values: dict, increment=(), user_id, when, name: str
) -> list[tuple[str, str, list]]:
    """update_where_with_history as two WITH items (`name`: the UPDATE, `name`_history: its
    "~" history rows) for a statement of the caller's own (update_with_history's `also`),
    so that the rows change in that statement. PostgreSQL only."""
    spec, update, set_params = _update_where(queryset, values, increment)
    if not spec.is_postgresql:
        raise ValueError("WITH items that write need PostgreSQL")
    where, params = _where(queryset)
    sql, more = _history_select(spec, name, "~", when, user_id)
    return [
        (name, f"{update} WHERE {where} RETURNING *", [*set_params, *params]),
        (f"{name}_history", f"{spec.history_insert}{sql}", more),
    ]


def update_where_with_history(queryset, *, values: dict, increment=(), user_id, when) -> int:
    """UPDATE the rows of `queryset` (filters on its model's own table, no joins): `values`
    ({field name: value}) set and each field of `increment` raised by one (a version),
    with a "~" history row per row changed. Returns how many were changed. PostgreSQL:
    one statement, the queryset's WHERE compiled into it; SQLite: the keys read, the
    UPDATE, the history rows, in one transaction."""
    spec, update, set_params = _update_where(queryset, values, increment)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if spec.is_postgresql:
            where, params = _where(queryset)
            sql, more = _history_select(spec, "changed", "~", when, user_id)
            cursor.execute(
                f"WITH changed AS ({update} WHERE {where} RETURNING *) {spec.history_insert}{sql}",
                [*set_params, *params, *more],
            )
            return cursor.rowcount
        pks = list(queryset.values_list("pk", flat=True))
        if not pks:
            return 0
        among, among_params = _in(spec, pks)
        cursor.execute(f"{update} WHERE {among}", [*set_params, *among_params])
        sql, more = _history_select(spec, f"{spec.table} WHERE {among}", "~", when, user_id)
        cursor.execute(f"{spec.history_insert}{sql}", [*more, *among_params])
        return len(pks)
