"""Statements prepared on the PostgreSQL server (issue 14.3).

Django's psycopg 3 backend binds parameters in the client by default and turns psycopg's
prepared statements off: the server parses and plans every statement again, on every
execution. For the queries the clinic runs all day that is most of their cost: the
session editor's session read (eight joins) spends 1.8 ms planning and 0.5 ms running,
and a lot-tracked administration (start, draft, sign: 45 statements) spent about half
its database time in parse and plan.

`apply_to(database)` (from the settings) turns on server-side binding and psycopg's
automatic preparation: a statement executed DATABASE_PREPARE_THRESHOLD times on a
connection (default 1: at its second execution there) is prepared, and later executions
skip parse and analysis; after five executions PostgreSQL also reuses a generic plan when
it costs no more than the custom ones (plan_cache_mode auto; the session editor's pages
use the generic plan from the start: plan_cache.py). psycopg keeps at most 100 per
connection (least recently used deallocated); a connection lives DATABASE_CONN_MAX_AGE
seconds.

Why 1 and not psycopg's own 5: each gunicorn thread holds its own connection, and the paths
that matter most run a few times an hour on it (a session's start, draft save and signing),
so at 5 they mostly ran unprepared. Served, interleaved (bench/README.md, "Prepared at the
second run"), the administration's three POSTs took 32.0-36.4 ms (median 33.8) at 1
against 34.6-36.9 (35.4) at 5, and warmed up sooner. 0 (prepare even a statement run once)
was slower than both, 43-48 ms: preparing costs a round trip of its own, and one-off
statements filled the cache. The price is server memory: about 2.4 MB more per connection
(13.8 against 11.4 MB, pg_log_backend_memory_contexts after the same mixed load).

DATABASE_PREPARE_THRESHOLD=off keeps Django's default (client-side binding, nothing
prepared): for a pooler in transaction mode that cannot keep prepared statements
(PgBouncer before 1.21, or without max_prepared_statements). docs/operations.md says so.

A string of several statements cannot go through server-side binding (the extended
protocol takes one statement): such a string runs on `client_side_cursor()` (the patient
search sends its planner settings, the search and their RESET in one round trip).
"""

from __future__ import annotations

import os

OFF = {"", "0", "off", "none", "false", "no"}
DEFAULT_THRESHOLD = "1"


def apply_to(database: dict, environ=os.environ) -> dict:
    """Server-side binding and automatic preparation in a PostgreSQL DATABASES entry."""
    if not database.get("ENGINE", "").endswith("postgresql"):
        return database
    threshold = environ.get("DATABASE_PREPARE_THRESHOLD", DEFAULT_THRESHOLD).strip().lower()
    if threshold in OFF:
        return database
    options = database.setdefault("OPTIONS", {})
    options["server_side_binding"] = True
    options["prepare_threshold"] = int(threshold)
    return database
