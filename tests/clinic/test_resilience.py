"""The database can stall, the clinic does not (issue 12, points 3-6 and 8): timeouts on
every PostgreSQL connection, the busy page (with a POST's fields kept), error pages that
never touch the database, one log record per failure, the per-request log line without
patient data. /healthz and the read replica: test_health_and_replica.py."""

import logging
import re

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from clinic.db_timeouts import busy_reason, longer_statement_timeout, postgres_options
from clinic.error_reporting import scrub_event
from clinic.permissions import public
from clinic.request_log import record_timeout
from tests.clinic.resilience_helpers import DatabaseDown, logged_problems
from tests.patients.test_views import form_data

# The busy count lives in the cache: emptied before each test (tests/clinic/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

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
    assert len(logged_problems(caplog)) == 1


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
    problems = logged_problems(caplog)
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
    problems = logged_problems(caplog)
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


@pytest.fixture
def production_logging():
    """clinic/settings/base.py's LOGGING (the test settings replace it), built by hand: its
    console handler (filters and format) on the root logger, writing to a buffer, and its
    loggers' settings; all restored afterwards. (logging.config.dictConfig would close
    every handler that exists, pytest's own included.)"""
    import io

    from django.utils.module_loading import import_string

    from clinic.settings import base

    conf = base.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in conf["handlers"]["console"]["filters"]:
        spec = dict(conf["filters"][name])
        handler.addFilter(import_string(spec.pop("()"))(**spec))
    handler.setFormatter(logging.Formatter(conf["formatters"]["clinic"]["format"]))
    saved = {}
    for name, options in {"": {"level": "INFO"}, **conf["loggers"]}.items():
        lg = logging.getLogger(name)
        saved[name] = (lg.handlers[:], lg.propagate, lg.level)
        assert options.get("handlers", []) in ([], ["null"])  # only "off" is built here
        if "handlers" in options:
            lg.handlers = [logging.NullHandler()] if options["handlers"] else []
        lg.propagate = options.get("propagate", True)
        lg.setLevel(options.get("level", lg.level))
    logging.getLogger().addHandler(handler)
    try:
        yield stream.getvalue
    finally:
        logging.getLogger().removeHandler(handler)
        for name, (handlers, propagate, level) in saved.items():
            lg = logging.getLogger(name)
            lg.handlers[:], lg.propagate = handlers, propagate
            lg.setLevel(level)


def test_no_request_path_reaches_the_logs(reception, patient, production_logging):
    """A path can carry a patient's id, a typed name or a calendar link's secret: Django's
    own request loggers (a 404, a 403, a CSRF refusal) would write it; the clinic's
    request line has the route instead."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reception)
    typed = "/patients/Quillfeather-1111111111/"
    assert client.get(typed).status_code == 404
    access_log = reverse("patients:access_log", args=[patient.public_id])
    assert client.get(access_log).status_code == 403  # a manager's page
    edit = reverse("patients:edit", args=[patient.public_id])
    assert client.post(edit, {"family_name": "X"}).status_code == 403  # no CSRF token
    logged = production_logging()
    for secret in (typed, "Quillfeather", str(patient.public_id)):
        assert secret not in logged, logged
    assert "status=404" in logged and "status=403" in logged  # the request lines are there
    assert "CSRF" in logged and "route=patients:edit" in logged  # the security event too
