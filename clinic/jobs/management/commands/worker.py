"""`manage.py worker`: django-tasks-db's `db_worker` with a heartbeat (clinic.background).

Same options as db_worker. The package's loop runs in passes (each pass runs every task
that is ready, then returns); between passes the worker writes its heartbeat and waits
--interval seconds, so the heartbeat shows the polling loop itself is alive.
"""

import logging
import os
import socket
import time

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands import db_worker

from clinic.background import HEARTBEAT_EVERY, record_heartbeat

_PASS_MESSAGES = ("Starting worker", "No more tasks to run")


class _QuietPasses(logging.Filter):
    """The package logs its start and stop at every pass; keep them once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_PASS_MESSAGES)


class HeartbeatWorker(db_worker.Worker):
    def __init__(self, **kwargs):
        self.keep_going = not kwargs["batch"]
        kwargs["batch"] = True  # one pass at a time (below)
        super().__init__(**kwargs)
        self._last_beat = 0.0

    def beat(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < HEARTBEAT_EVERY:
            return
        try:
            record_heartbeat(
                worker_id=self.worker_id, hostname=socket.gethostname(), pid=os.getpid()
            )
            self._last_beat = now
        except OperationalError:  # a locked or restarting database: try next pass
            db_worker.logger.warning("Could not write the worker heartbeat", exc_info=True)
            close_old_connections()

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        self.beat()

    def run(self) -> None:
        db_worker.logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        quiet = _QuietPasses()
        db_worker.logger.addFilter(quiet)
        try:
            self.beat(force=True)
            while self.running:
                super().run()  # every ready task, then back here
                self.startup_delay = False
                self.beat()
                if not self.keep_going:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running:
                    time.sleep(self.interval)
        finally:
            db_worker.logger.removeFilter(quiet)


class Command(db_worker.Command):
    help = "Run the background worker (django-tasks-db's db_worker) with a heartbeat"

    def configure_logging(self, verbosity: int) -> None:
        """The package adds a handler to stdout when its loggers have none of their own;
        with the clinic's LOGGING (a root handler) that printed every line twice."""
        root_handlers = bool(logging.getLogger().handlers)
        super().configure_logging(verbosity)
        if not root_handlers:
            return
        for name in (db_worker.TASKS_LOGGER, db_worker.logger.name):
            log = logging.getLogger(name)
            for handler in list(log.handlers):
                if getattr(handler, "stream", None) is self.stdout:
                    log.removeHandler(handler)

    def handle(self, **options):
        original = db_worker.Worker
        db_worker.Worker = HeartbeatWorker  # the package's handle() builds its Worker here
        try:
            return super().handle(**options)
        finally:
            db_worker.Worker = original
