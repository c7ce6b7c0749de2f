"""One migrated test database per run, cloned for each pytest-xdist worker (issue 14.6).

pytest-django gives each xdist worker a test database of its own and migrates each one.
Migrating is the costly part (about 7 s of CPU through the squashed migrations, 24 s
through the originals: the migrations hold the database roles' grants, the triggers, the
access log's hash chain and the reference data, so --no-migrations is not an option).
Here the first worker that needs a database migrates a template once per run, under a
file lock, and every worker clones it:

- PostgreSQL: CREATE DATABASE test_app_gw0 TEMPLATE test_app_template (tables, rows,
  triggers and the runtime role's grants come along);
- SQLite (in memory): the template is a file, copied into the worker's in-memory database
  with SQLite's backup API.

The xdist controller drops the template when the run ends. Without xdist, or with
--reuse-db or --no-migrations, pytest-django's own django_db_setup runs unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import TransactionTestCase
from django.test.utils import setup_databases, teardown_databases
from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup
from pytest_django.plugin import blocking_manager_key

from tests import flush

TEMPLATE_FILE = "template"  # in the run's shared folder: the template database's name
PREBUILT_SQLITE_TEMPLATE = "CLINIC_PREBUILT_SQLITE_TEMPLATE"  # a migrated file, if given
django_deserialize = None  # Django's own restore, once restore_serialized_rows_in_bulk ran


def run_folder(config: pytest.Config) -> Path | None:
    """A folder shared by the workers of one xdist run (None outside xdist)."""
    workerinput = getattr(config, "workerinput", None)
    uid = workerinput["testrunuid"] if workerinput else config.getoption("testrunuid", None)
    if not uid:
        return None
    return Path(tempfile.gettempdir()) / f"clinic-test-databases-{uid}"


@contextlib.contextmanager
def locked(folder: Path):
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clonable(connection) -> bool:
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


def use_database(connection, name: str) -> None:
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def migrate_template(connection, name: str, verbosity: int) -> None:
    """Create and migrate the test database `name` (a SQLite file's path), then leave the
    connection on the database it was on."""
    original, test = connection.settings_dict["NAME"], dict(connection.settings_dict["TEST"])
    connection.settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True)
    finally:
        connection.close()
        connection.settings_dict["TEST"] = test
        use_database(connection, original)


def build_template(connection, folder: Path, verbosity: int) -> str:
    """Migrate the template database (once per run): return its name."""
    if connection.vendor == "postgresql":
        name = connection.creation._get_test_db_name().rsplit("_gw", 1)[0] + "_template"
    else:
        name = str(folder / "template.sqlite3")
    migrate_template(connection, name, verbosity)
    (folder / TEMPLATE_FILE).write_text(name)
    return name


def prebuilt_template(connection) -> str | None:
    """The SQLite template `make test` migrated in the background under CI (below), if
    this run was given one."""
    path = os.environ.get(PREBUILT_SQLITE_TEMPLATE, "")
    if connection.vendor == "sqlite" and path and Path(path).is_file():
        return path
    return None


def build_sqlite_template(path: str) -> None:
    """Migrate a SQLite template database into the file `path`.

    `make test` under CI runs this in the background (python -m tests.worker_databases
    PATH) while the checks and the PostgreSQL pass run, and gives the file to the SQLite
    pass (PREBUILT_SQLITE_TEMPLATE). That pass then starts cloning at once; otherwise one
    worker migrates (about 7 s of CPU) while the other waits for it."""
    import django

    django.setup()
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        raise SystemExit("build_sqlite_template: DATABASE_URL must be unset (SQLite)")
    migrate_template(connection, path, verbosity=0)


def clone(connection, template: str) -> str:
    """The worker's own copy of the template: return its name."""
    target = connection.creation._get_test_db_name()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
        use_database(connection, target)
        return target
    # SQLite: a shared-cache in-memory database lives while one connection holds it.
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    holder = sqlite3.connect(target, uri=True)
    try:
        source.backup(holder)
    finally:
        source.close()
    use_database(connection, target)
    connection.connect()  # Django never closes an in-memory database's connection
    holder.close()
    return target


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's django_db_setup, with the clone-a-template path under xdist."""
    folder = run_folder(request.config)
    connection = connections[DEFAULT_DB_ALIAS]
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    plain = (
        folder is None
        or not django_db_use_migrations
        or django_db_keepdb
        or set(aliases) - {DEFAULT_DB_ALIAS}
        or not clonable(connection)
    )
    verbosity = request.config.option.verbose
    if plain:
        if not django_db_use_migrations:
            _disable_migrations()
        with django_db_blocker.unblock():
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(db_cfg, verbosity=verbosity)
        return

    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        if aliases:
            with locked(folder):
                template_file = folder / TEMPLATE_FILE
                if template_file.exists():
                    template = template_file.read_text()
                elif template := prebuilt_template(connection):
                    template_file.write_text(template)
                else:
                    template = build_template(connection, folder, verbosity)
                clone(connection, template)
            # What create_test_db does after migrating.
            if DEFAULT_DB_ALIAS in serialized_aliases:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
            call_command("createcachetable", database=DEFAULT_DB_ALIAS)
            connection.ensure_connection()
    yield
    if aliases:
        with django_db_blocker.unblock():
            destroy(connection, original, verbosity)


def destroy(connection, original: str, verbosity: int) -> None:
    """Drop the worker's database. On PostgreSQL WITH (FORCE): a connection some test's
    thread left open (a thread still waiting on a lock when its test gave up on it) would
    otherwise fail the whole run at teardown with "being accessed by other users"."""
    if connection.vendor != "postgresql":
        connection.creation.destroy_test_db(original, verbosity=verbosity)
        return
    target = connection.settings_dict["NAME"]
    connection.close()
    use_database(connection, original)
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(target)} WITH (FORCE)")


def contents_serialized_at_setup(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """The migrated database as Django serialized it when it created the test database.

    Django keeps it on the connection object, and its connections are thread-local only
    while no event loop runs: once Playwright's loop runs in this thread (from the first
    browser test on a worker to the end of the run), they are context-local, so a database
    set up before the browser started is serialized onto a connection object that the
    later tests do not see.
    """
    connection = connections[alias]
    if hasattr(connection, "_test_serialized_contents"):
        return connection._test_serialized_contents
    loop = asyncio._get_running_loop()
    if loop is None:
        return None
    asyncio._set_running_loop(None)  # look at the thread's own connection
    try:
        return getattr(connections[alias], "_test_serialized_contents", None)
    finally:
        asyncio._set_running_loop(loop)


def serialized_tests_start_from_empty_tables() -> None:
    """serialized_rollback restores the migrated rows with their primary keys; rows that an
    earlier transactional test's flush recreated through post_migrate (content types,
    permissions, roles) would clash with them. Which test ran before on a worker depends on
    how xdist shares the tests out, so a serialized_rollback test empties the tables first
    unless they are empty already (one SELECT then): tests/conftest.py does this per
    module in migrated_reference_data.

    The other way round, a serialized_rollback test's teardown empties the tables without
    post_migrate (Django's own choice), and a plain transactional test after it on that
    worker would find no content types, permissions or roles ("Group matching query does
    not exist"), which it finds after any other test. So before such a test, empty tables
    get what a flush gives them: post_migrate's rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    restore = TransactionTestCase._fixture_setup.__func__

    def _fixture_setup(cls):
        for alias in cls._databases_names(include_mirrors=False):
            if cls.serialized_rollback:
                contents = contents_serialized_at_setup(alias)
                if contents is None:
                    continue
                # After a browser test on this worker, the connection this test uses is
                # not the one Django serialized onto (contents_serialized_at_setup):
                # without the contents on it, the restore would restore nothing, silently.
                connections[alias]._test_serialized_contents = contents
                if ContentType.objects.using(alias).exists():
                    flush.flush(alias, inhibit_post_migrate=True)  # by DELETE on PostgreSQL
            elif cls.available_apps is None and not ContentType.objects.using(alias).exists():
                emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
        restore(cls)

    TransactionTestCase._fixture_setup = classmethod(_fixture_setup)


@contextlib.contextmanager
def migrated_template(config: pytest.Config):
    """The name of this run's migrated PostgreSQL template (None when there is none: no
    xdist, SQLite, or no worker has needed a database yet), held under the run's lock so
    that no worker is cloning it meanwhile: for tests that need a migrated database of
    their own (the restore drill) and would otherwise run every migration once more."""
    folder = run_folder(config)
    if folder is None or not folder.exists():
        yield None
        return
    with locked(folder):
        template_file = folder / TEMPLATE_FILE
        name = template_file.read_text() if template_file.exists() else ""
        yield name if name and not name.endswith(".sqlite3") else None


def restore_serialized_rows_in_bulk() -> None:
    """serialized_rollback's restore, one INSERT per model instead of per row.

    Django's deserialize_db_from_string saves the ~800 migrated rows (permissions, content
    types, the reference data) one by one, an UPDATE then an INSERT each: ~1 s before every
    browser test. Here the same deserialized objects go in with one INSERT per model and
    per many-to-many relation (raw: the values as serialized, auto_now fields included), in
    one transaction with the constraints checked at its end, as Django does. Unlike
    Django's raw save, no signal is sent: the rows are the migrated ones (content types,
    permissions, the roles and their permissions, the reference data; no user, patient or
    device, whose receivers clear cached access), restored to what they were. A model
    with a parent model is saved as Django does."""
    from io import StringIO

    from django.core import serializers
    from django.db.backends.base.creation import BaseDatabaseCreation
    from django.db.transaction import atomic

    def insert_raw(model, instances, alias) -> None:
        """INSERT the instances' values as they are, as a raw save does (bulk_create would
        set auto_now fields to now)."""
        fields = model._meta.local_concrete_fields
        if instances[0].pk is None:  # many-to-many rows: the database numbers them
            fields = [field for field in fields if field is not model._meta.auto_field]
        batch = connections[alias].ops.bulk_batch_size(fields, instances)
        for start in range(0, len(instances), batch):
            model._base_manager._insert(
                instances[start : start + batch], fields=fields, using=alias, raw=True
            )

    def deserialize_db_from_string(self, data):
        alias = self.connection.alias
        by_model, m2m_rows, table_names = {}, {}, set()
        with atomic(using=alias):
            with self.connection.constraint_checks_disabled():
                for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
                    instance = deserialized.object
                    model = type(instance)
                    table_names.add(model._meta.db_table)
                    if model._meta.parents:
                        deserialized.save()
                        continue
                    by_model.setdefault(model, []).append(instance)
                    for name, values in (deserialized.m2m_data or {}).items():
                        field = model._meta.get_field(name)
                        through = field.remote_field.through
                        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                        m2m_rows.setdefault(through, []).extend(
                            through(**{f"{source}_id": instance.pk, f"{target}_id": value})
                            for value in values
                        )
                for model, instances in (*by_model.items(), *m2m_rows.items()):
                    insert_raw(model, instances, alias)
                    table_names.add(model._meta.db_table)
            self.connection.check_constraints(table_names=table_names)

    global django_deserialize
    if django_deserialize is None:
        django_deserialize = BaseDatabaseCreation.deserialize_db_from_string
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string


def name_the_run(config: pytest.Config) -> None:
    """In the controller: fix the run's id (xdist passes it to the workers) so that the
    controller finds the workers' shared folder afterwards."""
    controller = not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no"
    if controller and config.getoption("testrunuid", None) is None:
        config.option.testrunuid = uuid.uuid4().hex


def drop_template(config: pytest.Config) -> None:
    """In the xdist controller, after every worker has finished: drop the template."""
    if hasattr(config, "workerinput"):
        return
    folder = run_folder(config)
    if folder is None or not folder.exists():
        return
    template_file = folder / TEMPLATE_FILE
    if template_file.exists():
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor == "postgresql":
            name = template_file.read_text()
            quoted = connection.ops.quote_name(name)
            with (
                config.stash[blocking_manager_key].unblock(),
                connection.creation._nodb_cursor() as cursor,
            ):
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    import sys

    build_sqlite_template(sys.argv[1])
