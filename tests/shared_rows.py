"""Rows made once and shared by many tests: Django's setUpTestData, for pytest fixtures.

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield {"patient": PatientFactory(...)}

The module-scoped fixture opens a transaction and makes its rows once. Each test that
uses it (with the plain `db` fixture or `django_db` mark, not transaction=True) runs in its
own transaction as usual, which is then a savepoint inside this one: whatever the test
writes is rolled back after it, and the shared rows are rolled back when the module ends.
Give each test a deep copy of the shared objects (`copied`), as setUpTestData does, so that
one test's changes to a Python object do not reach the next test.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping

from django.db import transaction


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def copied(objects: Mapping) -> Mapping:
    """A test's own copy of the shared objects (the rows themselves are shared)."""
    return LazyCopy(objects)


class LazyCopy(Mapping):
    """A test's own copy of the shared objects (the rows themselves are shared), each value
    deep-copied when the test first reads it, as setUpTestData's TestData copies each
    attribute on first access. A nested dict is copied key by key in the same way. One memo
    for the whole copy: an object reached under two keys is one object in the copy too.

    Copying the whole of a module's shared objects for each test cost about 1.5 ms (every
    factory-made row drags its related rows along): the permission matrix's 1,190 set-ups
    took 10.8 s, now 9.0 s (one process, SQLite). A test reads one persona and one or two
    objects."""

    def __init__(self, objects: Mapping, memo: dict | None = None):
        self._objects = objects
        self._memo = {} if memo is None else memo
        self._copies = {}

    def __getitem__(self, key):
        if key not in self._copies:
            value = self._objects[key]
            if isinstance(value, dict):
                self._copies[key] = LazyCopy(value, self._memo)
            else:
                self._copies[key] = copy.deepcopy(value, self._memo)
        return self._copies[key]

    def __iter__(self):
        return iter(self._objects)

    def __len__(self):
        return len(self._objects)


@contextlib.contextmanager
def demo_seeded_once(django_db_blocker, *, patients: int, seed: int, bulk: bool = False):
    """`manage.py seed_demo` once, as shared rows (above); yields what it printed. `bulk`:
    on the bulk path (the engine in memory, bulk inserts) rather than through the services.
    For module-scoped fixtures of tests that check the demo's records."""
    import io

    import pytest
    from django.core.management import call_command

    from clinic.management.commands import seed_demo

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch, shared_rows(django_db_blocker):
        if bulk:
            monkeypatch.setattr(seed_demo, "REPLAY_MAX_PATIENTS", 0)
        call_command("seed_demo", patients=patients, seed=seed, stdout=out)
        yield out.getvalue()
