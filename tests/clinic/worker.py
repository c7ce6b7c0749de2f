"""Run the real background worker (`manage.py worker`, clinic.background) for a bounded
burst inside a test: every task that is ready, then it stops."""

import signal

from django.core.management import call_command


def run_worker(*, max_tasks: int | None = None) -> None:
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    args = ["--batch", "--no-reload", "--no-startup-delay", "--interval", "0"]
    if max_tasks is not None:
        args += ["--max-tasks", str(max_tasks)]
    try:
        call_command("worker", *args, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
