"""gunicorn for the clinic (issue 12): the container's CMD and `make serve` both use it.

    gunicorn -c gunicorn.conf.py clinic.wsgi

Worker model: gthread, a few processes with a few threads each. One slow page (a
report, a row lock) holds one thread, not a whole process, so the other threads and
processes keep answering; and the database gives up on a statement before gunicorn
gives up on the worker (`timeout` is above the statement timeout), so a stuck query
ends as the app's own "busy" page rather than a killed worker and a bare 502.

Every value can be changed from the environment (.env.example):
  GUNICORN_BIND        default 0.0.0.0:8000 (the container); `make serve` 127.0.0.1:$PORT
  GUNICORN_WORKERS     processes, default min(2 x CPUs + 1, 8)
  GUNICORN_THREADS     threads per process, default 4
  GUNICORN_TIMEOUT     seconds a worker may stay silent before it is restarted, default 30
                       (raised to DATABASE_STATEMENT_TIMEOUT_MS + 10 s if set lower)
  GUNICORN_MAX_REQUESTS  recycle a process after this many requests (memory hygiene),
                       default 2000, with a random jitter of up to 10 % so that the
                       processes do not all restart at once
  GUNICORN_ACCESS_LOG  "-" for an access log on stdout; off by default: the app writes
                       one structured line per request itself, and an access log would
                       carry query strings (a patient search has a name in its URL).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _statement_timeout_seconds() -> float:
    """The web requests' statement timeout, as clinic/db_timeouts.py reads it
    (DATABASE_STATEMENT_TIMEOUT_MS, default 15000 ms)."""
    raw = os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "").strip()
    return int(raw) / 1000 if raw else 15.0


wsgi_app = "clinic.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 4)
# A request may take up to the statement timeout in the database plus rendering; the
# worker is killed only well after that.
timeout = max(_int("GUNICORN_TIMEOUT", 30), int(_statement_timeout_seconds()) + 10)
# On SIGTERM (a deploy, `docker compose stop`, Ctrl+C) requests in flight get this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max(max_requests // 10, 1) if max_requests else 0
# Each worker imports the app itself (no preload): a deploy's new code is read by each
# worker; memory per worker is measured by the soak test (bench/README.md).
preload_app = False
# Requests: no access log by default (see above); errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# If an access log is turned on, never with the query string (%(q)s) or the full request
# line (%(r)s): method, path, status, bytes, microseconds.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind Caddy: trust X-Forwarded-* from the proxy's address only (the compose network
# or loopback); Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "clinic"
# No control socket (gunicorn >= 26 opens one in ~/.gunicorn by default): several servers
# share a machine in tests and benchmarks, and the container's home is read-only.
control_socket_disable = True
