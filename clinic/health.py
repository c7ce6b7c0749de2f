"""Health checks for the proxy, the orchestrator and monitors (issue 12, point 3).

- /healthz/live: the process is up and answers. No database, no cache: restart the
  process only if this fails.
- /healthz/ready: may this process take traffic? 200 {"status": "ok"} when the database
  answers within HEALTHZ_DB_TIMEOUT_MS (a SET LOCAL statement_timeout; default 1000) and
  every migration is applied; 200 {"status": "degraded"} when it is ready but requests
  have recently been answered "busy" (lock or statement timeouts: count in the cache) or
  the background worker has not shown life for WORKER_HEARTBEAT_MAX_AGE seconds; 503
  {"status": "error"} when the database does not answer or migrations are pending.
- /healthz: the same as ready, for the monitors that already call it.

Migrations: one query on django_migrations, compared with the migration files on disk,
until every one is applied (then never again in this process); Django's migration plan
(a second or two to build) only when a file looks unapplied. After that ready costs
SELECT 1 (with SET LOCAL on PostgreSQL) and the worker's heartbeat: three queries.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from clinic.permissions import public
from clinic.request_log import recent_timeouts

_migrations_applied = False


@public
@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@functools.cache
def _migration_files() -> frozenset[tuple[str, str]]:
    """(app label, migration name) of every migration file on disk, found by listing the
    migrations packages (not importing each migration: building Django's migration graph
    takes a second or two, too slow for a health check)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    found = set()
    for config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            continue
        try:
            package = importlib.import_module(module_name)
        except ImportError:
            continue
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            if not info.ispkg and info.name[0] not in "_~":
                found.add((config.label, info.name))
    return frozenset(found)


def _migrations_pending(connection) -> bool:
    """Once every migration is applied, it stays so for this process (new migrations come
    with new code, in a new process): after that, no query at all. Until then one query
    compares django_migrations with the files; only if a file looks unapplied (or is a
    squashed migration) does Django's own migration plan decide."""
    global _migrations_applied
    if _migrations_applied:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    if not _migration_files() <= applied:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return True
    _migrations_applied = True
    return False


def check_database(request=None, using: str = DEFAULT_DB_ALIAS) -> tuple[str, str]:
    """("ok" | "error", "ok" | "pending" | "unknown") for the database and migrations."""
    connection = connections[using]
    timeout_ms = int(getattr(settings, "HEALTHZ_DB_TIMEOUT_MS", 1000))
    # PostgreSQL: in a transaction, for SET LOCAL. SQLite: none (an IMMEDIATE transaction
    # would take the write lock for a read); it has no statement timeout anyway.
    block = (
        transaction.atomic(using=using)
        if connection.vendor == "postgresql"
        else contextlib.nullcontext()
    )
    try:
        with block:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)]
                    )
                cursor.execute("SELECT 1")
                cursor.fetchone()
            migrations = "pending" if _migrations_pending(connection) else "ok"
    except DatabaseError as exc:
        # Said on the request's one log line (clinic.request_log), without a traceback: a
        # monitor polls this every few seconds.
        if request is not None:
            request.log_note = f"database={type(exc).__name__}"
        return "error", "unknown"
    return "ok", migrations


def worker_state() -> str:
    try:
        from clinic.background import worker_heartbeat_age, worker_is_stale
    except ImportError:
        return "unknown"
    try:
        age = worker_heartbeat_age()
    except DatabaseError:
        return "unknown"
    if age is None:
        return "unknown"
    return "stale" if worker_is_stale(age) else "ok"


@public
@never_cache
def ready(request):
    database, migrations = check_database(request)
    body = {"database": database, "migrations": migrations}
    if database != "ok" or migrations != "ok":
        response = JsonResponse({"status": "error", **body}, status=503)
        response._has_been_logged = True  # the request line is this failure's one record
        return response
    body["worker"] = worker_state()
    body["timeouts_last_minute"] = recent_timeouts()
    degraded = body["timeouts_last_minute"] > 0 or body["worker"] == "stale"
    body["status"] = "degraded" if degraded else "ok"
    return JsonResponse({"status": body.pop("status"), **body})
