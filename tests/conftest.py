"""Shared fixtures: the role personas (Healthchecks-style) and logged-in clients."""

import gc
import os

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

from clinic.roles import Role
from tests import flush, worker_databases
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory
from tests.worker_databases import django_db_setup  # noqa: F401 - one migrate per run (xdist)

PASSWORD = "correct-horse-battery"
# make test's second pass under CI (.ci/test.sh): the database tests again, on SQLite.
SECOND_ENGINE_PASS = os.environ.get("TESTS_NEEDING_A_DATABASE_ONLY") == "1"


# The cyclic garbage collector, tuned for a test process (issue 14.6). A worker's heap holds
# ~300,000 tracked objects (Django, the app, pytest's fixtures), and with Python's default
# thresholds (2,000, 10, 10) a full collection walked all of it every ~100 young ones:
# about 10% of a worker's CPU (gc.callbacks over 1,453 tests: 6.5 s of 61.5 s, 4.3 s of it
# in 17 full collections). With young collections at 5,000 and full ones a hundred times
# rarer, the same tests spent 3.8 s in GC (2 full collections); reference counting still
# frees at once everything that is not in a cycle, and a test process lives minutes.
GC_THRESHOLDS = (5_000, 20, 1_000)


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)
    worker_databases.name_the_run(config)
    worker_databases.serialized_tests_start_from_empty_tables()
    worker_databases.restore_serialized_rows_in_bulk()
    flush.transactional_tests_flush_by_delete()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Django's order again, after pytest's own regrouping: plain database tests first,
    then transactional ones (the browser tests among them), then the rest.

    pytest-django sorts first (tryfirst); pytest then regroups tests that share a
    parametrized session fixture (pytest-playwright's browser), which can move browser tests
    in among the plain database tests. A transactional test's teardown empties every table,
    so the database tests after it on that worker found no reference data (CI, 03/12:
    "Indication matching query does not exist" in 30 tests). The sort is stable: pytest's
    grouping holds within each of Django's groups.

    Then the tests that need no Django test database go first, the `make serve` smoke test
    (about a minute: its own cluster, migrate, gunicorn) leading: under xdist the first
    worker starts with them while the second migrates the run's template database (~8 s),
    instead of waiting for it. The restore drill stays last: it copies that template."""
    from pytest_django.plugin import pytest_collection_modifyitems as in_django_order

    in_django_order(items)
    items.sort(key=_start_early)
    if SECOND_ENGINE_PASS:
        # make test's second pass (SQLite, under CI): the tests that use no database
        # (the safety engine's, the validators', the forms' markup) ran in the first pass
        # and would only repeat it.
        # Nor do the database tests marked engine_independent: crawls of every page whose
        # point (each page audited, each header set) is the same code on either engine,
        # the engine's own part proven by tests that run on both (CONTRIBUTING.md, 3).
        once = [item for item in items if _once(item)]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [item for item in items if not _once(item)]


def _once(item) -> bool:
    return _start_early(item) == 1 or bool(item.get_closest_marker("engine_independent"))


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def _start_early(item) -> int:
    if item.get_closest_marker("serve"):
        return 0
    needs_database = (
        item.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        or "tests/ops/" in item.nodeid
    )
    return 2 if needs_database else 1


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    worker_databases.drop_template(session.config)


@pytest.fixture(scope="module")
def migrated_reference_data(django_db_setup, django_db_blocker):  # noqa: F811 (the fixture above)
    """For a module of serialized_rollback tests (the browser tests that need the migrated
    reference data, the database roles', the flush's): make serialized_rollback work, and
    leave the database as other modules expect.

    - The serialized data is put on the connection the tests use
      (worker_databases.contents_serialized_at_setup); without it serialized_rollback
      silently restores nothing.
    - It is restored at each test's start with the primary keys it had: rows that an
      earlier module's flush recreated (roles, content types, through post_migrate) would
      clash, so the module starts from empty tables.
    - The flushes after these tests skip post_migrate (the data is restored instead), so on
      leaving, one plain flush recreates the roles and permissions for the next module.
    """
    contents = worker_databases.contents_serialized_at_setup()
    if contents is None:
        pytest.fail("The test database was not serialized: serialized_rollback is needed.")
    connections[DEFAULT_DB_ALIAS]._test_serialized_contents = contents
    # tests/flush.py's flush: by DELETE on PostgreSQL, 0.03-0.06 s (Django's TRUNCATEs
    # every table: 0.55-0.75 s, twice per module, for 16 modules).
    with django_db_blocker.unblock():
        flush.flush(DEFAULT_DB_ALIAS, inhibit_post_migrate=True)
    yield
    with django_db_blocker.unblock():
        flush.flush(DEFAULT_DB_ALIAS, inhibit_post_migrate=False)
        connections.close_all()  # as after a test: else the test database cannot be dropped


# The personas, also made once per module by fixtures that share rows (tests/shared_rows.py).
PERSONAS = {
    "reception": {"username": "rita", "role": Role.RECEPTION},
    "practitioner": {"username": "amelia", "role": Role.PRACTITIONER},
    "manager": {"username": "marcus", "role": Role.MANAGER, "is_staff": True},
    "deactivated": {"username": "former", "role": Role.PRACTITIONER, "is_active": False},
}


@pytest.fixture
def reception(db):
    return UserFactory(**PERSONAS["reception"])


@pytest.fixture
def practitioner(db):
    return UserFactory(**PERSONAS["practitioner"])


@pytest.fixture
def manager(db):
    return UserFactory(**PERSONAS["manager"])


@pytest.fixture
def colleague(db):
    """A second practitioner, Samir Patel (another's draft, a forgotten one to withdraw).
    Diary tests that need one with working hours define their own."""
    return UserFactory(
        username="samir", first_name="Samir", last_name="Patel", role=Role.PRACTITIONER
    )


@pytest.fixture
def deactivated(db):
    return UserFactory(**PERSONAS["deactivated"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def nurse(db):
    """A practitioner with an email address (the staff page's tests)."""
    return UserFactory(
        username="priya", first_name="Priya", email="priya@clinic.invalid", role=Role.PRACTITIONER
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reception_client(reception):
    return client_for(reception)


@pytest.fixture
def practitioner_client(practitioner):
    return client_for(practitioner)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def patient(db, reception):
    return PatientFactory(registered_by=reception)


@pytest.fixture
def questionnaire(db, patient, reception):
    return QuestionnaireFactory(patient=patient, entered_by=reception)
