"""Run the real background worker (`manage.py worker`, clinic.background) for a bounded
burst inside a test: every task that is ready, then it stops."""

import signal
from unittest import mock

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker


def run_worker(*, max_tasks: int | None = None) -> None:
    """As Django's test client does for requests, the worker's close_old_connections() is
    a no-op here: it would close the test's connection (and its transaction) on
    PostgreSQL."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {sig: signal.getsignal(sig) for sig in signals}
    args = ["--batch", "--no-reload", "--no-startup-delay", "--interval", "0"]
    if max_tasks is not None:
        args += ["--max-tasks", str(max_tasks)]
    try:
        with mock.patch.object(db_worker, "close_old_connections", lambda: None):
            call_command("worker", *args, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
