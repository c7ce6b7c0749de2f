"""What the clinic says about its own health, and where it reads (issue 12, points 3-6 and
8): /healthz/live and /healthz/ready (the database, migrations, the worker, busy answers
counted in a cache shared by every app server), and the read replica for reports."""

import shutil
import subprocess
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import db_router, health
from clinic.request_log import record_timeout
from tests.clinic.resilience_helpers import DatabaseDown, logged_problems

# The busy count lives in the cache: emptied before each test (tests/clinic/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


# /healthz ----------------------------------------------------------------------------------
def test_live_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0), connection.execute_wrapper(DatabaseDown()):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_ready_checks_database_migrations_and_worker(client):
    response = client.get("/healthz/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["migrations"] == "ok"
    assert body["worker"] in {"ok", "unknown"}
    assert client.get("/healthz").json()["status"] == "ok"  # the old name still works


def test_ready_is_503_when_the_database_does_not_answer(client, caplog):
    with connection.execute_wrapper(DatabaseDown()):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "migrations": "unknown"}
    problems = logged_problems(caplog)
    assert len(problems) == 1  # the request line, which says why
    assert "status=503" in problems[0].getMessage()
    assert "database=OperationalError" in problems[0].getMessage()


def test_ready_is_503_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    files = health._migration_files() | {("clinic", "9999_not_applied_yet")}
    monkeypatch.setattr(health, "_migration_files", lambda: files)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("a migration", False)],
    )
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


def test_ready_compares_migration_files_without_building_the_graph(client, monkeypatch):
    def too_slow(*args, **kwargs):
        raise AssertionError("the migration graph was built")

    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.__init__", too_slow)
    assert client.get("/healthz/ready").json()["migrations"] == "ok"
    assert health._migrations_applied  # and not compared again in this process


def test_ready_says_degraded_when_the_worker_is_stale(client, monkeypatch):
    monkeypatch.setattr(health, "worker_state", lambda: "stale")
    body = client.get("/healthz/ready").json()
    assert body["status"] == "degraded" and body["worker"] == "stale"


# The read replica --------------------------------------------------------------------------
@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A second connection, "replica", to the same test database (as a streaming replica
    would be to the primary), made directly so that Django's test isolation treats it as
    a connection made at run time."""
    from django.db.utils import load_backend

    settings_dict = {**connections["default"].settings_dict}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, alias=db_router.REPLICA
    )
    connections[db_router.REPLICA] = wrapper
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[db_router.REPLICA]


@pytest.mark.django_db(transaction=True)
def test_report_reads_go_to_the_replica_and_writes_stay_on_the_primary(manager, replica):
    client = Client()
    client.force_login(manager)
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert client.get(reverse("reports:dashboard")).status_code == 200
    assert on_replica.captured_queries, "the dashboard read nothing from the replica"
    writes = [
        q["sql"][:60]
        for q in on_replica.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert not writes
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "clinic_accessevent" in primary_sql  # the audit row is a write: the primary


@pytest.mark.django_db(transaction=True)
def test_other_pages_and_transactions_read_from_the_primary(reception, replica):
    client = Client()
    client.force_login(reception)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("patients:list")).status_code == 200
        token = db_router._reading_from_replica.set(True)
        try:
            from django.db import transaction

            with transaction.atomic():
                assert db_router.read_alias() == "default"
            assert db_router.read_alias() == "replica"
        finally:
            db_router._reading_from_replica.reset(token)
    assert on_replica.captured_queries == []


def test_without_a_replica_the_flag_changes_nothing():
    token = db_router._reading_from_replica.set(True)
    try:
        assert db_router.read_alias() == "default"
    finally:
        db_router._reading_from_replica.reset(token)


def test_the_flag_is_per_thread():
    seen = []
    token = db_router._reading_from_replica.set(True)
    try:
        thread = threading.Thread(target=lambda: seen.append(db_router.replica_reads_on()))
        thread.start()
        thread.join()
    finally:
        db_router._reading_from_replica.reset(token)
    assert seen == [False]


# A shared cache for several app servers ------------------------------------------------
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")
def test_the_busy_count_is_shared_through_redis(tmp_path, settings):
    """CACHE_URL=redis://… (or unix://…): Django's RedisCache; the busy count that makes
    /healthz/ready "degraded" is then shared by every app server."""
    socket = tmp_path / "redis.sock"
    server = subprocess.Popen(  # noqa: S603
        [shutil.which("redis-server"), "--port", "0", "--unixsocket", str(socket),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.02)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"unix://{socket}",
            }
        }
        from clinic.request_log import recent_timeouts

        assert recent_timeouts() == 0
        record_timeout(type("Request", (), {})(), "lock_timeout")
        record_timeout(type("Request", (), {})(), "sqlite_busy")
        assert recent_timeouts() == 2
    finally:
        server.terminate()
        server.wait(timeout=10)
