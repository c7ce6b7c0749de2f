"""Background work (issue 12.2): Django's Tasks framework (`django.tasks`) on
django-tasks-db, the clinic's own database as the queue; no extra server.

The worker
    `python manage.py worker` runs every task queued on the "default" queue. It is
    django-tasks-db's `db_worker` (same options: --interval, --batch, --max-tasks,
    --worker-id, --no-reload ...) plus a heartbeat: it touches a WorkerHeartbeat row at
    most every HEARTBEAT_EVERY seconds while it polls, which `worker_heartbeat_age()`
    reads for /healthz/ready. `make run` starts it beside runserver
    (deploy/run_with_worker.sh); `make serve` and compose start the same command. Stop
    it with SIGTERM / Ctrl+C: it finishes the task in hand, then exits.
    With TASKS_BACKEND=redis (a group of clinics) the worker is django-rq's
    `manage.py rqworker --job-class django_tasks_rq.Job` instead; the tasks do not change.

The pattern (exports, subject-access copies, and the diary's reminders and recalls):
    1. The web request records what was asked (a ReportExport, a SubjectAccessCopy, a
       reminder row ...) in its own transaction, checks permissions there, and enqueues
       with the row's id only: `transaction.on_commit(lambda: my_task.enqueue(row.pk))`.
       Arguments are JSON: ids, never patient data (the queue table is not the record).
    2. The task is a module-level function decorated with `@background_task(...)`:
       it reloads the row, does the work, and stores any file with `private_storage()`
       (a folder outside every static/media URL), then marks the row ready.
    3. The user gets a page that lists their rows and a permission-checked view that
       serves the file and writes an access event (clinic.audit), as any download.
    4. A task that raises is retried: `@background_task` enqueues attempt n+1 after
       TASKS_RETRY_BACKOFF_SECONDS x 2^(n-1), up to TASKS_MAX_ATTEMPTS (3) in all;
       after the last one it records a FailedJob (name, attempts, exception class: no
       message, no arguments) shown to managers at /jobs/failed/, and calls the task's
       `on_give_up` so the row can say "failed". Tasks must be safe to run twice.
    Tests run the real worker for a bounded burst: tests/clinic/conftest helper
    `run_worker()` (`manage.py worker --batch`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger("clinic.background")

WORKER_COMMAND = ["manage.py", "worker"]  # plus db_worker's options, e.g. --no-reload
HEARTBEAT_EVERY = 5.0  # seconds between heartbeat writes while the worker polls


def private_storage():
    """Where prepared files go (settings.PRIVATE_FILES_ROOT; never served directly)."""
    return storages["private"]


def worker_heartbeat_age() -> float | None:
    """Seconds since a worker last showed life; None if none ever did. One indexed query."""
    from clinic.jobs.models import WorkerHeartbeat

    seen = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    if seen is None:
        return None
    return max(0.0, (timezone.now() - seen).total_seconds())


def worker_is_stale(age: float | None) -> bool:
    """A worker that showed life, but not for WORKER_HEARTBEAT_MAX_AGE seconds: stopped.
    The one rule for /healthz/ready and the failed-jobs page."""
    return age is not None and age > getattr(settings, "WORKER_HEARTBEAT_MAX_AGE", 120)


def record_heartbeat(*, worker_id: str, hostname: str = "", pid: int | None = None) -> None:
    from clinic.jobs.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "hostname": hostname[:255], "pid": pid},
    )


def _retry_delay(attempt: int) -> float:
    return settings.TASKS_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)


class TaskFailed(Exception):
    """What a failed task raises to the worker: the original exception's class, nothing
    more. Its message and traceback could name a patient (an address a mail server
    refused, a value in a query), and the worker logs the exception it gets and stores
    its traceback in the task's result row."""


def background_task(
    function: Callable | None = None,
    *,
    max_attempts: int | None = None,
    on_give_up: Callable | None = None,
    **task_options,
):
    """`django.tasks.task` with bounded retries (django-tasks-db has none of its own).

    The decorated function runs with its own arguments; the attempt number travels as
    the keyword `_attempt` of the queued call. `on_give_up(*args, **kwargs)` runs once,
    after the last attempt failed.
    """

    def decorator(func: Callable):
        @functools.wraps(func)
        def run(*args, _attempt: int = 1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - any failure: retried, then reported by class
                limit = max_attempts or settings.TASKS_MAX_ATTEMPTS
                if _attempt < limit:
                    delay = _retry_delay(_attempt)
                    again = the_task
                    if delay > 0 and the_task.get_backend().supports_defer:
                        again = the_task.using(run_after=timezone.now() + timedelta(seconds=delay))
                    again.enqueue(*args, _attempt=_attempt + 1, **kwargs)
                    logger.warning(
                        "Task %s failed (%s), attempt %d of %d; retrying in %.0f s",
                        the_task.name,
                        type(exc).__name__,
                        _attempt,
                        limit,
                        delay,
                    )
                else:
                    _give_up(the_task, attempts=_attempt, exc=exc)
                    if on_give_up is not None:
                        on_give_up(*args, **kwargs)
                raise TaskFailed(type(exc).__qualname__) from None

        the_task = task(**task_options)(run)
        return the_task

    return decorator(function) if function is not None else decorator


def _give_up(the_task, *, attempts: int, exc: Exception) -> None:
    from clinic.jobs.models import FailedJob

    FailedJob.objects.create(
        task_name=the_task.name[:200],
        task_path=the_task.module_path[:300],
        attempts=attempts,
        error=type(exc).__qualname__[:200],
    )
    logger.error(
        "Task %s failed after %d attempts (%s)", the_task.name, attempts, type(exc).__name__
    )
