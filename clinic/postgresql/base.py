"""Django's PostgreSQL backend, with CONN_HEALTH_CHECKS answered without a `SELECT 1`
when the connection plainly is fine (issue 14.3).

Django's health check (kept for issue 12: a restarted PostgreSQL must not cost the next
request its answer) sends `SELECT 1` before the first query of every request: a round
trip and a statement on each page. Here the persistent connection is taken as healthy,
without that round trip, when libpq says it is open and idle (not inside a transaction)
and its socket has nothing to read. A server that ended the connection (a restart, a
terminated backend, the idle-in-transaction timeout) has sent its error message and
closed the socket, which makes it readable: then, and in any other doubtful state, the
`SELECT 1` check runs as before and closes a dead connection, so the request opens a new
one instead of failing.
"""

import select

from django.db.backends.postgresql import base
from psycopg import ClientCursor, pq

from clinic.postgresql.plan_cache import DEFAULT, GENERIC


class DatabaseWrapper(base.DatabaseWrapper):
    # The plan_cache_mode this connection was put in (clinic/postgresql/plan_cache.py).
    _plan_cache_mode = DEFAULT

    def init_connection_state(self):
        super().init_connection_state()
        self._plan_cache_mode = DEFAULT  # a new connection: the server's default

    def set_plan_cache_mode(self, mode: str) -> None:
        """Put the connection in `mode` (plan_cache.GENERIC or DEFAULT), with one statement
        when it is not already there. Nothing when statements are not prepared (a
        transaction-mode pooler would hand the SET on to another client), nor inside a
        transaction (ATOMIC_REQUESTS, a test's): a rollback would undo the SET behind the
        connection's back, and the mode only tunes plans, it changes no answer."""
        if self.in_atomic_block or not self.settings_dict["OPTIONS"].get("server_side_binding"):
            return
        if self.connection is None:
            if mode == DEFAULT:
                return  # the next connection opens in the default
            self.ensure_connection()
        if mode == self._plan_cache_mode:
            return
        sql = f"SET plan_cache_mode = {GENERIC}" if mode == GENERIC else "RESET plan_cache_mode"
        with self.client_side_cursor() as cursor:  # a setting: never a prepared statement
            cursor.execute(sql)
        self._plan_cache_mode = mode

    def client_side_cursor(self):
        """A cursor that binds its parameters in the client (psycopg's ClientCursor)
        whatever `server_side_binding` says, with Django's wrappers (query logging, the
        execute wrappers): for a string of several statements, which the server refuses
        through server-side binding (clinic/postgresql/prepared_statements.py)."""
        self.ensure_connection()
        return self._prepare_cursor(ClientCursor(self.connection))

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._plainly_healthy()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _plainly_healthy(self) -> bool:
        connection = self.connection
        try:
            if connection.closed or connection.broken:
                return False
            pgconn = connection.pgconn
            if (
                pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE
            ):
                return False
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)  # anything to read (a message, EOF, an error): check
        except Exception:  # noqa: BLE001 (any doubt: Django's own check decides)
            return False
