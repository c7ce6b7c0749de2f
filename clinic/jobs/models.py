"""What the clinic keeps about its background work (clinic.background): the worker's
heartbeat, and the jobs that failed for good after their retries. The queue itself is
django-tasks-db's table (or Redis, TASKS_BACKEND=redis)."""

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row per worker process, touched by `manage.py worker` as it polls."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} seen {self.seen_at:%d/%m/%Y %H:%M:%S}"


class FailedJob(models.Model):
    """A task that failed on its last allowed attempt. Carries no patient data: the task's
    name, the attempts, the exception's class (never its message, which may quote a
    record) and when."""

    task_name = models.CharField(max_length=200)
    task_path = models.CharField(max_length=300)
    attempts = models.PositiveSmallIntegerField()
    error = models.CharField(max_length=200)
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_name} failed {self.failed_at:%d/%m/%Y %H:%M}"
