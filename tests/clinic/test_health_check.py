"""CONN_HEALTH_CHECKS without a SELECT 1 per request (clinic/postgresql/base.py, issue
14.3): a healthy persistent connection is reused with no round trip, and one the server
ended (as a restart does) is noticed before the request's first query and replaced, so
the request still gets its answer (issue 12)."""

import time

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

# Not transactional: the connection under test is a separate one, outside the test's
# transaction, and a transactional test's flush would empty the reference tables for the
# tests that follow it on the same worker.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend"),
]


@pytest.fixture
def persistent():
    """A connection as production has it: kept between requests, health checks on."""
    settings_dict = {
        **connections["default"].settings_dict,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="hc")
    connections["hc"] = wrapper  # as tests/clinic/test_resilience.py's replica
    checks = []
    real_check = wrapper.is_usable
    wrapper.is_usable = lambda: (checks.append(1), real_check())[1]
    try:
        yield wrapper, checks
    finally:
        wrapper.close()
        del connections["hc"]


def _request(wrapper) -> int:
    """What a request does: the request_started bookkeeping, then a query."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_connection_is_reused_without_a_select_1(persistent):
    wrapper, checks = persistent
    first = _request(wrapper)
    assert [_request(wrapper) for _ in range(3)] == [first] * 3
    assert checks == []


def test_a_connection_the_server_ended_is_replaced_before_the_query(persistent):
    wrapper, checks = persistent
    ended = _request(wrapper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    time.sleep(0.2)  # the server's message and the closed socket reach the client
    assert _request(wrapper) != ended  # answered, on a new connection
    assert checks == [1]  # the SELECT 1 check ran (and failed) only this once
