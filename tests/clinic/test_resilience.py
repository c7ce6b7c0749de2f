"""The database can stall, the clinic does not (issue 12, points 3-6 and 8): timeouts on
every PostgreSQL connection, the busy page (with a POST's fields kept), error pages that
never touch the database, one log record per failure, the per-request log line without
patient data, /healthz/live and /healthz/ready, the read replica for reports."""

import logging
import re
import shutil
import subprocess
import threading
import time

import pytest
from django.db import DatabaseError, OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from clinic import db_router, health
from clinic.db_timeouts import busy_reason, longer_statement_timeout, postgres_options
from clinic.error_reporting import scrub_event
from clinic.permissions import public
from clinic.request_log import record_timeout
from tests.patients.test_views import form_data

pytestmark = pytest.mark.django_db

LOCK_TIMEOUT = "canceling statement due to lock timeout"


# A URLconf with views that fail on purpose, in front of the clinic's own ----------------
@public
def busy_view(request):
    raise OperationalError(LOCK_TIMEOUT)


@public
def sqlite_busy_view(request):
    raise OperationalError("database is locked")


@public
def broken_view(request):
    raise RuntimeError("something the code did not expect")


@public
def quiet_view(request):
    return HttpResponse("fine")


urlpatterns = [
    path("test/busy/", busy_view, name="test_busy"),
    path("test/sqlite-busy/", sqlite_busy_view, name="test_sqlite_busy"),
    path("test/broken/", broken_view, name="test_broken"),
    path("test/quiet/", quiet_view, name="test_quiet"),
    path("", include("clinic.urls")),
]
handler500 = "clinic.errors.server_error"


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


def _no_raise(client: Client) -> Client:
    client.raise_request_exception = False
    return client


class DatabaseDown:
    """Every query on the default connection fails, as when PostgreSQL has gone away."""

    def __call__(self, execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture(autouse=True)
def fresh_cache():
    """The busy count lives in the cache (local memory in tests)."""
    from django.core.cache import cache

    cache.clear()


def _problems(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


# Timeouts --------------------------------------------------------------------------------
def test_options_merge_with_what_is_already_there():
    env = {"DATABASE_LOCK_TIMEOUT_MS": "2500"}
    merged = postgres_options("-c search_path=clinic -c statement_timeout=9000", env)
    assert merged.startswith("-c search_path=clinic -c statement_timeout=9000")
    assert merged.count("statement_timeout") == 1  # the existing one wins
    assert "-c lock_timeout=2500" in merged
    assert "-c idle_in_transaction_session_timeout=60000" in merged


def test_busy_reasons():
    assert busy_reason(OperationalError(LOCK_TIMEOUT)) == "lock_timeout"
    assert busy_reason(OperationalError("canceling statement due to statement timeout")) == (
        "statement_timeout"
    )
    assert busy_reason(OperationalError("database is locked")) == "sqlite_busy"
    assert busy_reason(OperationalError("server closed the connection unexpectedly")) is None
    assert busy_reason(OperationalError("canceling statement due to user request")) is None


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_every_postgresql_connection_has_the_three_timeouts():
    with connection.cursor() as cursor:
        values = {}
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    assert values == {
        "statement_timeout": "15s",
        "lock_timeout": "5s",
        "idle_in_transaction_session_timeout": "1min",
    }
    with longer_statement_timeout(300), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5min"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15s"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL locks")
@pytest.mark.django_db(transaction=True)
def test_a_real_lock_timeout_gives_the_busy_page(reception, patient):
    """An ACCESS EXCLUSIVE lock on the patient table, held by another session: the
    patient list gives up after the lock timeout with the busy page."""
    import psycopg

    params = connection.get_connection_params()
    holder = psycopg.connect(**params)
    client = _no_raise(Client())
    client.force_login(reception)
    try:
        holder.execute("LOCK TABLE patients_patient IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 300")
        response = client.get(reverse("patients:list"))
    finally:
        holder.rollback()
        holder.close()
        connection.close()  # back to the configured timeouts
    assert response.status_code == 503
    assert "The record is busy" in response.content.decode()
    assert response["Retry-After"]


# The busy page ---------------------------------------------------------------------------
@pytest.mark.usefixtures("failing_urls")
def test_a_lock_timeout_on_a_get_gives_the_busy_page(reception_client, caplog):
    response = reception_client.get("/test/busy/?page=2")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The record is busy, please try again" in body
    assert 'href="/test/busy/?page=2"' in body  # "Try again" repeats the same request
    assert response["X-Request-ID"] in body
    assert "Kensington Neurotoxin Clinic" in body
    assert len(_problems(caplog)) == 1


@pytest.mark.usefixtures("failing_urls")
def test_sqlite_still_busy_is_the_busy_page_not_a_500(reception_client):
    response = reception_client.post("/test/sqlite-busy/", {"note": "x"})
    assert response.status_code == 503
    assert "The record is busy" in response.content.decode()


@pytest.mark.usefixtures("failing_urls")
def test_a_busy_post_keeps_the_fields_escaped_and_never_a_password(reception_client):
    response = reception_client.post(
        "/test/busy/",
        {
            "family_name": "<b>O'Brien</b>",
            "notes": ['two "values"', "second"],
            "submission_token": "1b3c6a8e-2d4f-4e6a-8b0c-2d4e6f8a0b1c",
            "csrfmiddlewaretoken": "csrf-value-abc",
            "password": "hunter2-secret",
            "new_password1": "also-secret",
            "otp_token": "123456",
        },
    )
    body = response.content.decode()
    assert response.status_code == 503
    assert '<form method="post" action="/test/busy/">' in body
    assert 'name="family_name" value="&lt;b&gt;O&#x27;Brien&lt;/b&gt;"' in body
    assert "<b>O'Brien</b>" not in body
    assert body.count('name="notes"') == 2
    assert 'value="two &quot;values&quot;"' in body
    assert 'name="submission_token" value="1b3c6a8e-2d4f-4e6a-8b0c-2d4e6f8a0b1c"' in body
    assert 'name="csrfmiddlewaretoken" value="csrf-value-abc"' in body
    for secret in ("hunter2-secret", "also-secret", "123456", 'name="password"'):
        assert secret not in body
    assert "passwords and codes were not kept" in body


def test_busy_answers_make_ready_degraded(client):
    assert client.get("/healthz/ready").json()["status"] == "ok"
    record_timeout(type("Request", (), {})(), "lock_timeout")
    body = client.get("/healthz/ready").json()
    assert body["status"] == "degraded" and body["timeouts_last_minute"] >= 1


# Error pages and logging -------------------------------------------------------------------
@pytest.mark.usefixtures("failing_urls")
def test_the_500_page_renders_without_the_database_and_logs_once(reception, monkeypatch, caplog):
    def no_database(request):
        raise DatabaseError("the navigation must not be asked")

    monkeypatch.setattr("clinic.context_processors._user_roles", no_database)
    client = _no_raise(Client())
    client.force_login(reception)
    with connection.execute_wrapper(DatabaseDown()):
        response = client.get("/patients/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "Kensington Neurotoxin Clinic" in body
    assert "bootstrap.min.css" in body  # styled like the clinic
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert f"<code data-request-id>{request_id}</code>" in body
    problems = _problems(caplog)
    assert len(problems) == 1, [r.getMessage()[:120] for r in problems]
    message = problems[0].getMessage()
    assert message.startswith(f"request_id={request_id} ")
    assert "status=500" in message and "error=OperationalError" in message
    assert "server closed the connection" not in message  # no exception messages


@pytest.mark.usefixtures("failing_urls")
def test_the_500_page_falls_back_to_plain_html_if_its_template_fails(reception, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr("clinic.errors.loader.get_template", broken)
    client = _no_raise(Client())
    client.force_login(reception)
    response = client.get("/test/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and response["X-Request-ID"] in body


@pytest.mark.usefixtures("failing_urls")
def test_an_unexpected_error_in_a_view_logs_one_record_with_the_request_id(reception, caplog):
    client = _no_raise(Client())
    client.force_login(reception)
    response = client.get("/test/broken/")
    assert response.status_code == 500
    problems = _problems(caplog)
    assert len(problems) == 1
    record = problems[0]
    assert record.name == "clinic.request" and record.levelno == logging.ERROR
    assert f"request_id={response['X-Request-ID']}" in record.getMessage()
    assert "route=test_broken" in record.getMessage()
    assert "in broken_view" in record.getMessage()  # the stack frames are there
    assert "something the code did not expect" not in record.getMessage()


def test_one_request_line_with_the_fields_and_no_patient_data(reception, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client()
    client.force_login(reception)
    surname = "Quillfeatherstonehaugh"
    data = form_data(
        family_name=surname,
        given_names="Perpetua",
        nhs_number="",
        phone="07700 900654",
        email="perpetua.q@example.org",
    )
    response = client.post(reverse("patients:register") + f"?q={surname}", data)
    assert response.status_code == 302
    lines = [r for r in caplog.records if r.name == "clinic.request"]
    assert len(lines) == 1
    line = lines[0].getMessage()
    assert re.fullmatch(
        r"request_id=[0-9a-f]{12} method=POST route=patients:register status=302"
        r" duration_ms=\d+\.\d queries=\d+ user=\d+ role=Reception",
        line,
    ), line
    assert f"user={reception.pk}" in line
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for value in (surname, "Perpetua", "900654", "perpetua.q@example.org"):
        assert value not in everything


def test_the_request_id_comes_from_the_proxy_only_when_trusted(client, settings):
    assert (
        client.get("/healthz/live", HTTP_X_REQUEST_ID="from-client").get("X-Request-ID")
        != "from-client"
    )
    settings.REQUEST_ID_FROM_PROXY = True
    # The middleware reads the setting when it is built: a new client builds a new one.
    response = Client().get("/healthz/live", HTTP_X_REQUEST_ID="proxy-42.a")
    assert response["X-Request-ID"] == "proxy-42.a"
    odd = Client().get("/healthz/live", HTTP_X_REQUEST_ID="no spaces <allowed>")
    assert re.fullmatch(r"[0-9a-f]{12}", odd["X-Request-ID"])


def test_sentry_events_are_scrubbed():
    event = {
        "request": {
            "method": "POST",
            "url": "https://clinic.example/patients/?q=Smith",
            "query_string": "q=Smith",
            "data": {"family_name": "Smith"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc"},
        },
        "user": {"id": 3, "username": "rita"},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "Key (nhs_number)=(9434765919) already exists.",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"name": "Smith"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT", "data": {}}]},
        "extra": {"sys.argv": ["x"]},
    }
    scrubbed = scrub_event(event)
    text = repr(scrubbed)
    assert scrubbed["request"] == {"method": "POST"}
    for secret in ("Smith", "rita", "9434765919", "sessionid"):
        assert secret not in text
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError"


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
    problems = _problems(caplog)
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
