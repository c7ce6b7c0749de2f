"""Helpers for the resilience tests: a database that does not answer, and the log records
worth a look."""

import logging

from django.db import OperationalError


class DatabaseDown:
    """Every query on the default connection fails, as when PostgreSQL has gone away."""

    def __call__(self, execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")


def logged_problems(caplog):
    """The log records at WARNING or above."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING]
