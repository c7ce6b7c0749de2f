"""Generic plans on the session editor's paths (clinic/postgresql/plan_cache.py): the
connection is put in force_generic_plan for the views marked so, back in the server's
default for every other view, with one statement per change and none while it stays."""

import pytest
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from clinic.postgresql.plan_cache import GENERIC, PlanCacheMiddleware
from clinic.settings.base import env_bool
from tests.clinic.test_permission_matrix import ROUTES
from tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plan_cache_mode"
)

# The views whose statements all find rows by key (see the module's docstring). A view
# added here is one whose every statement has been checked not to need its values to plan.
MARKED = {"treatments:session_new", "treatments:session_edit", "treatments:session_check"}


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def _mode_statements(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "plan_cache_mode" in q["sql"]]


@pytest.fixture
def editor_url(practitioner, patient):
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner, points=3)
    return reverse("treatments:session_edit", args=[session.public_id])


def _prepared_statements_on():
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("DATABASE_PREPARE_THRESHOLD=off in this environment")


def test_only_the_session_editors_views_are_marked():
    marked = {route.name for route in ROUTES if getattr(route.view, "generic_plans", False)}
    assert marked == MARKED
    middleware = f"{PlanCacheMiddleware.__module__}.{PlanCacheMiddleware.__name__}"
    assert middleware in settings.MIDDLEWARE


@pytest.mark.parametrize(
    ("value", "enabled"), [(None, True), ("on", True), ("off", False), ("0", False), ("No", False)]
)
def test_the_operators_switch(value, enabled, monkeypatch):
    """The setting as clinic/settings/base.py reads it, and the middleware's answer to it."""
    if value is None:
        monkeypatch.delenv("DATABASE_GENERIC_PLANS", raising=False)
    else:
        monkeypatch.setenv("DATABASE_GENERIC_PLANS", value)
    assert env_bool("DATABASE_GENERIC_PLANS", True) is enabled
    with override_settings(DATABASE_GENERIC_PLANS=enabled):
        if enabled:
            PlanCacheMiddleware(lambda request: None)
        else:  # Django leaves it out of the stack
            with pytest.raises(MiddlewareNotUsed):
                PlanCacheMiddleware(lambda request: None)


# Outside a test transaction, as a request runs; the products and indications kept.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_editor_plans_generically_and_the_next_other_page_goes_back(
    practitioner_client, editor_url
):
    _prepared_statements_on()
    default = _mode()
    set_generic = [f"SET plan_cache_mode = {GENERIC}"]

    # Into the editor: one SET, and the connection stays generic.
    assert _mode_statements(practitioner_client, editor_url) == set_generic
    assert _mode() == GENERIC
    # Staying on its pages: nothing more is sent.
    assert _mode_statements(practitioner_client, editor_url) == []

    # Another page: one RESET, back to the server's default; then nothing again.
    assert _mode_statements(practitioner_client, reverse("home")) == ["RESET plan_cache_mode"]
    assert _mode() == default != GENERIC
    assert _mode_statements(practitioner_client, reverse("home")) == []

    # A new connection (CONN_MAX_AGE, a failed health check) opens in the default.
    assert _mode_statements(practitioner_client, editor_url) == set_generic
    connection.close()
    assert _mode_statements(practitioner_client, reverse("home")) == []
    assert _mode_statements(practitioner_client, editor_url) == set_generic
    connection.close()  # leave the next test a connection in the default


@pytest.mark.django_db
def test_nothing_is_sent_inside_a_transaction(practitioner_client, editor_url):
    """A SET inside a transaction is undone if it is rolled back (a test's, here, or
    ATOMIC_REQUESTS'): the connection's mode is left alone there."""
    _prepared_statements_on()
    assert connection.in_atomic_block
    assert _mode_statements(practitioner_client, editor_url) == []
    assert _mode_statements(practitioner_client, reverse("home")) == []


@pytest.mark.django_db
def test_nothing_is_sent_when_statements_are_not_prepared(
    practitioner_client, editor_url, monkeypatch
):
    """DATABASE_PREPARE_THRESHOLD=off (a transaction-mode pooler): no plan to choose, and a
    SET would stay on a server connection another client gets next."""
    options = {
        k: v for k, v in connection.settings_dict["OPTIONS"].items() if k != "server_side_binding"
    }
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert _mode_statements(practitioner_client, editor_url) == []
    assert _mode() != GENERIC
