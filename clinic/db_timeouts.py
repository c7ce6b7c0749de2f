"""Database timeouts (issue 12): the database can stall, the clinic does not.

Every PostgreSQL connection starts with three limits, sent in the libpq startup packet
(the `options` connection parameter), so they cost no query at all, per request or per
connection:

- statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS, default 15000): no web request waits
  on one statement longer than this;
- lock_timeout (DATABASE_LOCK_TIMEOUT_MS, default 5000): a request blocked behind a lock
  (a migration, a long report, someone's open transaction) gives up after this and the
  user sees "The record is busy, please try again" (clinic.request_log);
- idle_in_transaction_session_timeout (DATABASE_IDLE_TX_TIMEOUT_MS, default 60000): a
  session left idle inside a transaction is ended, so it cannot hold locks for ever.

0 turns one off. Tasks that legitimately run longer say so for one transaction:

    from clinic.db_timeouts import longer_statement_timeout

    with longer_statement_timeout(300):   # seconds; SET LOCAL inside its own atomic block
        build_the_export()

(A connection pooler in transaction mode, e.g. PgBouncer, drops startup options: set the
same three on the runtime role instead, `ALTER ROLE clinic_app SET lock_timeout = '5s'`.)
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

DEFAULTS_MS = {
    "statement_timeout": ("DATABASE_STATEMENT_TIMEOUT_MS", 15_000),
    "lock_timeout": ("DATABASE_LOCK_TIMEOUT_MS", 5_000),
    "idle_in_transaction_session_timeout": ("DATABASE_IDLE_TX_TIMEOUT_MS", 60_000),
}

# SQLSTATEs of a request that waited too long (not of a broken connection).
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout, NOWAIT
QUERY_CANCELED = "57014"  # statement_timeout (and a user's cancel request)


def timeouts_ms(environ=os.environ) -> dict[str, int]:
    """The three limits, in milliseconds, from the environment."""
    values = {}
    for name, (variable, default) in DEFAULTS_MS.items():
        raw = environ.get(variable, "").strip()
        values[name] = int(raw) if raw else default
        if values[name] < 0:
            raise ValueError(f"{variable} must be 0 (off) or a number of milliseconds")
    return values


def postgres_options(existing: str = "", environ=os.environ) -> str:
    """The libpq `options` string: `existing` (kept, and winning where it sets the same
    parameter) followed by any of the three limits it does not set."""
    existing = (existing or "").strip()
    parts = [
        f"-c {name}={ms}" for name, ms in timeouts_ms(environ).items() if f"{name}=" not in existing
    ]
    return " ".join([existing, *parts]).strip() if existing else " ".join(parts)


def apply_to(database: dict, environ=os.environ) -> dict:
    """Set the limits on one DATABASES entry (PostgreSQL only), merging with any
    `options` already there. Also a connect timeout, so that a host that does not answer
    fails a request in seconds rather than after the operating system's TCP timeout."""
    if not database.get("ENGINE", "").endswith("postgresql"):
        return database
    options = database.setdefault("OPTIONS", {})
    options["options"] = postgres_options(options.get("options", ""), environ)
    options.setdefault("connect_timeout", int(environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    return database


@contextmanager
def longer_statement_timeout(seconds: float, using: str = DEFAULT_DB_ALIAS):
    """Run the block in one transaction whose statement_timeout is `seconds` (0: none).
    SET LOCAL ends with the transaction, so the connection goes back to the web limits.
    On SQLite (no statement timeout) it is only the atomic block."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'),"
                " set_config('statement_timeout', %s, true)",
                [str(int(seconds * 1000))],
            )
            previous = cursor.fetchone()[0]
        yield
        # Inside an outer transaction SET LOCAL would outlive the block: put it back. (On
        # an error the savepoint's rollback already has.)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


def busy_reason(exc: BaseException | None) -> str | None:
    """Why a database error means "busy, try again": "lock_timeout", "statement_timeout"
    or "sqlite_busy"; None for anything else (a broken connection, a bug). Looks through
    the exception's causes (Django wraps the driver's error)."""
    seen = 0
    while exc is not None and seen < 6:
        sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        text = str(exc).lower()
        if sqlstate == LOCK_NOT_AVAILABLE or "lock timeout" in text:
            return "lock_timeout"
        if "statement timeout" in text and sqlstate in (QUERY_CANCELED, None):
            return "statement_timeout"
        if "database is locked" in text or "database table is locked" in text:
            return "sqlite_busy"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
