"""Reads for the dashboard and the reports from a read replica (issue 12, point 8).

With DATABASE_REPLICA_URL set, settings add a "replica" database (a streaming replica of
the primary, connected as the runtime role). Views decorated with `@reads_from_replica`
(the dashboard, its deferred panels, the report pages) run their body with a context
flag on, and while it is on this router sends ORM reads to "replica". Everything else,
every write, and any read inside a transaction on the primary (which must see its own
writes) goes to "default". Without a replica the router changes nothing.

A replica lags the primary by a moment: acceptable for figures over days and months, not
for a patient's record, which is why only these views opt in. Raw SQL that a selector
runs on `django.db.connection` stays on the primary; pass `connections[db_for_read()]`
to move it too.
"""

from __future__ import annotations

import contextvars
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading_from_replica = contextvars.ContextVar("clinic_reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_reads_on() -> bool:
    return _reading_from_replica.get()


def reads_from_replica(view):
    """Run the view's body with reads sent to the replica (when one is configured)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _reading_from_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading_from_replica.reset(token)

    return wrapper


def read_alias() -> str:
    if (
        _reading_from_replica.get()
        and replica_configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = read_alias()
        return alias if alias == REPLICA else None  # None: Django's usual choice

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL
