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

Migrations are compared once per process until they are all applied (the migration
graph is built from the files once; then one query on django_migrations); after that
ready costs two queries (SET LOCAL, SELECT 1) plus the worker's heartbeat.
"""

from __future__ import annotations

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


def _migrations_pending(connection) -> bool:
    global _migrations_applied
    if _migrations_applied:
        return False
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_applied = not plan
    return bool(plan)


def check_database(request=None, using: str = DEFAULT_DB_ALIAS) -> tuple[str, str]:
    """("ok" | "error", "ok" | "pending" | "unknown") for the database and migrations."""
    connection = connections[using]
    timeout_ms = int(getattr(settings, "HEALTHZ_DB_TIMEOUT_MS", 1000))
    try:
        with transaction.atomic(using=using):
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
        from clinic.background import worker_heartbeat_age
    except ImportError:
        return "unknown"
    try:
        age = worker_heartbeat_age()
    except DatabaseError:
        return "unknown"
    if age is None:
        return "unknown"
    return "ok" if age <= getattr(settings, "WORKER_HEARTBEAT_MAX_AGE", 120) else "stale"


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
