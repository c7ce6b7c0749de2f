"""Background work (issue 12.2): the real database backend and the real worker command
(clinic.background): enqueue, run, result stored; bounded retries then the failed-jobs
page; the worker's heartbeat."""

import logging
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.background import background_task, worker_heartbeat_age
from clinic.jobs.models import FailedJob, WorkerHeartbeat
from tests.clinic.worker import run_worker

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@background_task
def add(a, b):
    return a + b


class Boom(Exception):
    pass


@background_task
def always_fails(secret):
    CALLS.append(1)
    raise Boom(f"patient {secret}")  # a message the failed page must not show


@background_task
def fails_once(marker):
    CALLS.append(1)
    if len(CALLS) == 1:
        raise Boom("first time")
    return marker


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def test_enqueue_then_the_worker_runs_it_and_stores_the_result():
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    run_worker()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


def test_a_failing_task_is_retried_up_to_the_limit_then_listed(manager_client, caplog):
    always_fails.enqueue("Ada Lovelace")
    with caplog.at_level(logging.DEBUG):
        run_worker()
    # The worker logs the exception it gets and stores its traceback: the class only, not
    # the message (found by review, 04/12/2026: a refused address was in both).
    assert "Boom" in caplog.text and "Ada Lovelace" not in caplog.text
    tracebacks = [r.traceback for r in DBTaskResult.objects.failed()]
    assert all("Boom" in t and "Ada Lovelace" not in t for t in tracebacks), tracebacks
    assert len(CALLS) == 3  # TASKS_MAX_ATTEMPTS
    assert DBTaskResult.objects.failed().count() == 3
    assert not DBTaskResult.objects.ready().exists()
    job = FailedJob.objects.get()
    assert (job.task_name, job.attempts, job.error) == ("always_fails", 3, "Boom")
    page = manager_client.get(reverse("jobs:failed"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "always_fails" in html and "Boom" in html
    assert "Ada Lovelace" not in html  # the error summary carries no patient data


def test_a_task_that_fails_once_succeeds_on_its_retry():
    fails_once.enqueue("ok")
    run_worker()
    assert len(CALLS) == 2
    assert DBTaskResult.objects.successful().get().return_value == "ok"
    assert not FailedJob.objects.exists()


@override_settings(TASKS_RETRY_BACKOFF_SECONDS=60)
def test_retries_wait_longer_each_time():
    always_fails.enqueue("x")
    run_worker()  # the first attempt; the retry waits a minute
    assert len(CALLS) == 1
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    wait = (retry.run_after - timezone.now()).total_seconds()
    assert 50 < wait <= 60


def test_failed_page_is_for_managers_only(reception_client, practitioner_client):
    assert reception_client.get(reverse("jobs:failed")).status_code == 403
    assert practitioner_client.get(reverse("jobs:failed")).status_code == 403


def test_heartbeat_age():
    assert worker_heartbeat_age() is None
    run_worker()
    beat = WorkerHeartbeat.objects.get()
    assert 0 <= worker_heartbeat_age() < 5
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now() - timedelta(minutes=2))
    assert 119 < worker_heartbeat_age() < 125


def test_heartbeat_age_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        worker_heartbeat_age()


def test_the_failed_jobs_page_says_when_the_worker_has_stopped(manager_client):
    """Browser review (07/12/2026): "last showed life 20350 s ago", and nothing else, read
    as nothing wrong while exports and patients' messages waited."""
    WorkerHeartbeat.objects.create(
        worker_id="w1", seen_at=timezone.now() - timedelta(seconds=20350)
    )
    html = manager_client.get(reverse("jobs:failed")).content.decode()
    assert 'data-testid="worker-stopped"' in html
    assert "5\xa0hours, 39\xa0minutes ago" in html and "messages to patients" in html
    WorkerHeartbeat.objects.filter(worker_id="w1").update(seen_at=timezone.now())
    html = manager_client.get(reverse("jobs:failed")).content.decode()
    assert 'data-testid="worker-stopped"' not in html and "The background worker is running" in html
