"""Querysets compiled to SQL once per process, run with new values (issue 14.3).

Building a query's SQL is the largest CPU cost of the session editor's POSTs: 2-4 ms for
a read with eight select_related joins or two EXISTS subqueries, every request, although
only the values change. A `Prepared` read keeps the queryset's compiled SQL and the
compiler's row layout (select_related, annotations) from its first use in the process,
and each call returns its own queryset (built with the call's values, which is cheap) that
runs that SQL when iterated: Django still executes it and builds the instances
(select_related, prefetch_related, converters).

    _SESSION = Prepared(
        lambda public_id: TreatmentSession.objects.select_related(...).filter(public_id=public_id),
        public_id=(UUID(int=1), UUID(int=2)),
    )
    rows = _SESSION.list(public_id=...)
    session = _SESSION.one_or_404("No such session", public_id=...)  # or a 404

How the values are placed: the first time, the queryset is compiled with the first sample
of every value, then once more per value with its second sample; the SQL text must not
change (else ValueError: that value shapes the query, so make one Prepared per shape),
and the parameters that change are that value's places, with the database's adaptation
of it (as is, a date or datetime adapted by the backend, a UUID's hex). Filtering or
counting the returned queryset works as usual (it compiles its own query). What the
compiler reads from settings (the time zone of a __date lookup) is fixed for the process,
as the settings are.

`cursor_date`: a date column as a hand-written read's cursor returns it, on either engine.
"""

from __future__ import annotations

import copy
import functools
import threading
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import connections
from django.db.models import QuerySet
from django.http import Http404


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: object
    sql: str
    params: tuple
    slots: tuple  # (position, name, adapt)


def _adapters(connection):
    ops = connection.ops
    return (
        lambda v: v,
        ops.adapt_datefield_value,
        ops.adapt_datetimefield_value,
        lambda v: v.hex if isinstance(v, UUID) else v,
        str,
    )


def _gives(adapt, value, param) -> bool:
    try:
        return adapt(value) == param
    except (AttributeError, TypeError, ValueError):  # an adaptation for another type
        return False


class _CompiledQuery:
    """This call's own Query (built with its values: anything but iterating it, such as
    filtering further or counting, uses it as usual), compiling to the cached SQL."""

    def __init__(self, query, compiled: _Compiled, params: tuple):
        self._query = query
        self._compiled = compiled
        self._params = params

    def __getattr__(self, name):
        return getattr(self._query, name)

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = copy.copy(self._compiled.compiler)
        compiler.query = self._query
        compiler.connection = connections[using] if using else connection
        sql, params = self._compiled.sql, self._params
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler


class Prepared:
    def __init__(self, build, **samples):
        """`build(**values)` returns the queryset; `samples`: for each value, two different
        examples of what callers pass."""
        self._build = build
        self._samples = samples
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        first = {name: pair[0] for name, pair in self._samples.items()}
        queryset = self._build(**first).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for name, (one, two) in self._samples.items():
            query = self._build(**{**first, name: two}).query
            other_sql, other = query.get_compiler(using=using).as_sql()
            if other_sql != sql or len(other) != len(params):
                raise ValueError(f"{name!r} changes the query's shape")
            places = [i for i, (a, b) in enumerate(zip(params, other, strict=True)) if a != b]
            if not places:
                raise ValueError(f"{name!r} changes the query's shape or is not a parameter")
            for place in places:
                adapt = next(
                    (
                        adapt
                        for adapt in _adapters(connection)
                        if _gives(adapt, one, params[place]) and _gives(adapt, two, other[place])
                    ),
                    None,
                )
                if adapt is None:
                    raise ValueError(f"{name!r}: no known adaptation gives {params[place]!r}")
                slots.append((place, name, adapt))
        return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))

    def _params(self, compiled: _Compiled, values: dict) -> tuple:
        params = list(compiled.params)
        for place, name, adapt in compiled.slots:
            params[place] = adapt(values[name])
        return tuple(params)

    def _compiled_for(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def queryset(self, *, using: str = "default", **values) -> QuerySet:
        """A queryset of the call's own (built with `values`, so that it can be filtered
        or counted further as usual) that runs the cached SQL when iterated."""
        compiled = self._compiled_for(using)
        queryset = self._build(**{name: values[name] for name in self._samples})
        if using != "default":
            queryset = queryset.using(using)
        queryset._query = _CompiledQuery(queryset.query, compiled, self._params(compiled, values))
        return queryset

    def sql(self, *, using: str = "default", **values) -> tuple[str, list]:
        """The cached SQL and this call's parameters, for a statement of one's own (the
        access event's INSERT takes a Prepared subquery, clinic.audit)."""
        compiled = self._compiled_for(using)
        return compiled.sql, list(self._params(compiled, values))

    def list(self, *, using: str = "default", **values) -> list:
        """The rows (instances, or tuples for values_list) at once, nothing built: the
        cached queryset's shallow copy runs the cached SQL with `values`."""
        compiled = self._compiled_for(using)
        template = compiled.queryset
        # A shallow copy of the never-evaluated template (copy.copy would evaluate it).
        queryset = QuerySet.__new__(type(template))
        queryset.__dict__.update(template.__dict__)
        queryset._query = _CompiledQuery(template.query, compiled, self._params(compiled, values))
        return list(queryset)

    def converted(self, rows, *, using: str = "default") -> list[tuple]:
        """Raw rows of this read's SQL (from a statement of one's own: read_side_by_side)
        converted as `list()` converts them, for a values_list read: tuples of Python
        values (on SQLite, dates and decimals come as text without it)."""
        compiler = self._compiled_for(using).compiler
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        if not converters:
            return [tuple(row) for row in rows]
        return [tuple(row) for row in compiler.apply_converters(rows, converters)]

    def one_or_404(self, message: str, *, using: str = "default", **values):
        """The first row, or Http404(message) when there is none. A value whose samples
        are UUIDs may come as text (a URL, a form): one that is not a UUID finds nothing
        either (a 404, never a 500)."""
        for name, (sample, _) in self._samples.items():
            if isinstance(sample, UUID) and not isinstance(values[name], UUID):
                try:
                    values[name] = UUID(str(values[name]))
                except ValueError:
                    raise Http404(message) from None
        found = self.list(using=using, **values)
        if not found:
            raise Http404(message)
        return found[0]


def cursor_date(value):
    """A date column as a raw cursor returns it: a date on PostgreSQL, text on SQLite, a
    datetime from a truncation; None stays None. For the rollups' hand-written reads."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_side_by_side(*reads: tuple[str, list, int], using: str = "default") -> list[list[tuple]]:
    """Several reads in one statement: `reads` are (SQL, parameters, number of columns),
    such as `Prepared.sql()` gives. Each read is a derived table joined to its own row of
    a numbering (read i on kind = i), so the statement returns the sum of their rows, each
    carrying one read's columns and NULLs for the others'. Returns each read's rows (raw:
    convert them with `Prepared.converted` or `build_instance`), in no particular order (a
    caller that needs one sorts). A read's row of NULLs only is its LEFT JOIN's "no row":
    for reads whose rows always have a value (a key)."""
    kinds = " UNION ALL ".join(f"SELECT {i} AS kind" for i in range(len(reads)))
    joins = " ".join(
        f"LEFT JOIN ({sql}) r{i} ON k.kind = {i}" for i, (sql, _, _) in enumerate(reads)
    )
    columns = ", ".join(f"r{i}.*" for i in range(len(reads)))
    found: list[list[tuple]] = [[] for _ in reads]
    starts = [sum(width for _, _, width in reads[:i]) + 1 for i in range(len(reads))]
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT k.kind, {columns} FROM ({kinds}) k {joins}",  # noqa: S608 (compiled reads)
            [param for _, params, _ in reads for param in params],
        )
        if len(cursor.description) != starts[-1] + reads[-1][2]:
            raise ValueError("read_side_by_side: a read's number of columns is not its own")
        for row in cursor.fetchall():
            kind = row[0]
            own = row[starts[kind] : starts[kind] + reads[kind][2]]
            if any(value is not None for value in own):
                found[kind].append(own)
    return found


@functools.cache
def _readers(model) -> tuple[list[str], list[tuple]]:
    """A model's concrete fields' attnames and their database converters."""
    connection = connections["default"]
    names, converters = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        names.append(field.attname)
        converters.append(
            (connection.ops.get_db_converters(column) + field.get_db_converters(connection), column)
        )
    return names, converters


def build_instance(model, values):
    """An instance of `model` from a hand-written SELECT's values of its concrete fields,
    in field order, converted as the ORM converts them (the default database)."""
    connection = connections["default"]
    names, converters = _readers(model)
    converted = []
    for value, (functions, column) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def attach_related(objects, name: str, related) -> None:
    """Each of `objects` whose foreign key `name` points at `related` gets `related` as that
    relation without a query, as select_related would have read it; the others read their
    own when asked. For a relation the caller holds already (every vial of a list filtered
    by product is of that product): no join for the read to plan, no copy to build."""
    if related is None or not objects:
        return
    field = objects[0]._meta.get_field(name)
    for obj in objects:
        if getattr(obj, field.attname) == related.pk:
            field.set_cached_value(obj, related)


def as_prefetched(instance, name: str, objects: list) -> None:
    """`instance.<name>.all()` answers `objects` without a query, as after
    prefetch_related(name) (a reverse foreign key): what Django's prefetch_one_level
    stores, the related manager's queryset with its results filled in, each object's
    relation back set to `instance`. For a list read by a `Prepared` query: the prefetch
    itself builds and compiles its query on every call (~2-4 ms for one with a join)."""
    manager = getattr(instance, name)
    field = manager.field
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    for obj in objects:
        field.set_cached_value(obj, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset
