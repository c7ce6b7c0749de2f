"""One structured log line per request, and one record per failure (issue 12, point 6).

RequestLogMiddleware is the outermost middleware. For each request it

- takes a request id: X-Request-ID when REQUEST_ID_FROM_PROXY is on (the trusted proxy
  sets it; only short [A-Za-z0-9._-] values are taken), else a new random one; echoed in
  the X-Request-ID response header and shown on the error pages;
- counts the queries (a database execute wrapper: no per-query work beyond a counter);
- answers a database that stayed busy (lock or statement timeout, SQLite locked) inside
  a view with the busy page (process_exception; clinic.errors), also with DEBUG on;
- writes one line to the `clinic.request` logger, key=value:

    request_id=3f2a9c81d04e method=POST route=patients:register status=302
    duration_ms=41.7 queries=12 user=7 role=Reception

  (INFO; WARNING for a busy 503; ERROR for any other 5xx, with the exception's type,
  SQLSTATE and stack frames). No path, query string, username or exception message is
  logged: they can hold what staff typed about a patient (a search for a surname, a
  unique key's value quoted by the database). The route name and the request id are
  enough to find the request; the user id and role come from the user already loaded by
  the request (no query is made for the log line).

Every other log record gets the request id too (RequestIdFilter, in LOGGING).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import re
import secrets
import sys
import time
import traceback

from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import DatabaseError, connections
from django.utils.functional import empty

from clinic.db_timeouts import busy_reason

logger = logging.getLogger("clinic.request")

_request_id = contextvars.ContextVar("clinic_request_id", default="")
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TIMEOUT_KEY = "clinic:db-timeouts:{minute}"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request), and `request_prefix`
    ("request_id=... ") for the formatter; the request lines already start with it."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        record.request_prefix = (
            "" if record.name == "clinic.request" else f"request_id={record.request_id} "
        )
        return True


class NoRequestPathFilter(logging.Filter):
    """Django's security loggers name the request's path ("Forbidden (CSRF token missing.):
    /patients/<id>/"), and a path can carry a patient's id, a typed name or a calendar
    link's secret: the path is replaced by the route's name, as the request line has it."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple) and path in record.args:
            match = getattr(request, "resolver_match", None)
            route = f"route={match.view_name if match else '-'}"
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True


def record_timeout(request, reason: str) -> None:
    """Count a busy/timeout answer in the current minute (for /healthz/ready's
    "degraded"), in the cache: shared by all workers when the cache is Redis."""
    request._clinic_busy = reason
    key = TIMEOUT_KEY.format(minute=int(time.time() // 60))
    with contextlib.suppress(Exception):  # the count is a hint: never fail a response
        if not cache.add(key, 1, timeout=180):
            cache.incr(key)


def recent_timeouts() -> int:
    """Busy answers in this minute and the one before."""
    minute = int(time.time() // 60)
    try:
        found = cache.get_many([TIMEOUT_KEY.format(minute=m) for m in (minute, minute - 1)])
    except Exception:  # noqa: BLE001 (a cache outage must not fail the health check)
        return 0
    return sum(found.values())


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _remember_exception(sender, request=None, **kwargs):
    """got_request_exception: keep the first exception of the request for its log line
    (Django sends this again at each middleware layer if the error page itself fails)."""
    if request is not None and getattr(request, "_clinic_exception", None) is None:
        request._clinic_exception = sys.exc_info()[1]


_BARE = re.compile(r"[\w.:/@-]+")


def _quote(value: str) -> str:
    if _BARE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _user_and_role(request) -> tuple[str, str]:
    """From the user the request already loaded; never a query (the database may be
    the thing that failed)."""
    lazy = getattr(request, "user", None)
    if lazy is None:
        return "-", "-"
    user = getattr(lazy, "_wrapped", lazy)
    if user is empty or user is None:
        return "-", "-"
    if not user.is_authenticated:
        return "-", "anonymous"
    if user.is_superuser:
        return str(user.pk), "superuser"
    # The permissions ModelBackend cached when the request checked one (clinic.audit's
    # role_of reads the same set); "-" when nothing on this request needed them.
    perms = getattr(user, "_perm_cache", None)
    if perms is None:
        return str(user.pk), "-"
    return str(user.pk), _role_from(frozenset(perms))


@functools.lru_cache(maxsize=64)
def _role_from(perms: frozenset) -> str:
    from clinic.roles import MATRIX

    return ", ".join(role.value for role, needed in MATRIX.items() if needed <= perms) or "none"


def _exception_summary(exc: BaseException) -> str:
    """Types, SQLSTATEs and stack frames of the exception and its causes; no messages
    (they can quote patient data)."""
    lines, seen = [], 0
    while exc is not None and seen < 4:
        kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
        sqlstate = getattr(exc, "sqlstate", None)
        lines.append(f"{kind}" + (f" sqlstate={sqlstate}" if sqlstate else ""))
        for frame in traceback.extract_tb(exc.__traceback__)[-15:]:
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        exc = exc.__cause__ or exc.__context__
        seen += 1
        if exc is not None:
            lines.append("caused by:")
    return "\n".join(lines)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_header = getattr(settings, "REQUEST_ID_FROM_PROXY", False)
        self.aliases = list(settings.DATABASES)
        got_request_exception.connect(_remember_exception, dispatch_uid="clinic.request_log")

    def __call__(self, request):
        start = time.perf_counter()
        request_id = ""
        if self.trust_header:
            given = request.META.get("HTTP_X_REQUEST_ID", "")
            if VALID_ID.match(given):
                request_id = given
        request_id = request_id or secrets.token_hex(6)
        request.request_id = request_id
        token = _request_id.set(request_id)
        counter = _QueryCounter()
        wrappers = [connections[alias].execute_wrappers for alias in self.aliases]
        for wrapper_list in wrappers:
            wrapper_list.append(counter)
        try:
            response = self.get_response(request)
        finally:
            for wrapper_list in wrappers:
                wrapper_list.remove(counter)
        response["X-Request-ID"] = request_id
        try:
            self._log(request, response, counter.count, start)
        finally:
            _request_id.reset(token)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DatabaseError):
            reason = busy_reason(exception)
            if reason:
                from clinic.errors import busy_response

                request._clinic_exception = exception
                return busy_response(request, reason)
        return None

    def _log(self, request, response, queries: int, start: float) -> None:
        status = response.status_code
        user, role = _user_and_role(request)
        match = getattr(request, "resolver_match", None)
        line = (
            f"request_id={request.request_id} method={_quote(request.method or '-')}"
            f" route={_quote(match.view_name if match else '-')} status={status}"
            f" duration_ms={(time.perf_counter() - start) * 1000:.1f} queries={queries}"
            f" user={user} role={_quote(role)}"
        )
        note = getattr(request, "log_note", "")
        if note:
            line = f"{line} {note}"
        exc = getattr(request, "_clinic_exception", None)
        busy = getattr(request, "_clinic_busy", None)
        if busy:
            logger.warning("%s busy=%s", line, busy)
        elif status >= 500 and exc is not None:
            logger.error("%s error=%s\n%s", line, type(exc).__qualname__, _exception_summary(exc))
        elif status == 503:  # said so on purpose (the health check): no exception to show
            logger.warning(line)
        elif status >= 500:
            logger.error(line)
        else:
            logger.info(line)
