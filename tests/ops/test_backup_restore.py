"""The restore drill (issue 12.7), in CI: seed a small demo, `make backup` (plain and
encrypted with age), `make restore` into a fresh database, which compares the row count of
every table, the triggers and the runtime role's grants with the backup's manifest,
checks the access log's guards and runs verify_access_log on the restored database.
And a damaged backup is refused before anything is restored."""

import os
import shutil
import time
import urllib.parse
import uuid

import pytest

from tests import worker_databases
from tests.ops.conftest import PYTHON, base_env, pg_bin, requires_pg_binaries, run, with_database

pytestmark = [pytest.mark.postgres, requires_pg_binaries]

OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
RUNTIME_URL = os.environ.get("DATABASE_URL", "")


@pytest.fixture(scope="module")
def seeded_database(request):
    """A database of its own in the suite's cluster, migrated and seeded as the owner.

    Under xdist it starts as a copy of the run's migrated test template, when there is one
    (the migrations are the same; running them all again cost ~20-30 s of CPU at the
    suite's busy end), and `migrate` then finds nothing to apply but still runs as the
    operator would (its post_migrate grants). Otherwise it is migrated from empty."""
    if not OWNER_URL.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL with an owner role (DATABASE_OWNER_URL)")
    import psycopg

    name = f"drill_{uuid.uuid4().hex[:8]}"
    with (
        worker_databases.migrated_template(request.config) as template,
        psycopg.connect(OWNER_URL, autocommit=True) as conn,
    ):
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    owner, runtime = with_database(OWNER_URL, name), with_database(RUNTIME_URL, name)
    env = base_env(
        DJANGO_SETTINGS_MODULE="clinic.settings.dev",
        DATABASE_URL=owner,
        DATABASE_RUNTIME_URL=runtime,
        DATABASE_RUNTIME_ROLE=urllib.parse.urlsplit(runtime).username or "",
        PGBIN_DIR=str(pg_bin()),
    )
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    run([PYTHON, "manage.py", "seed_demo", "--patients", "20"], env)
    yield {"name": name, "owner": owner, "runtime": runtime}
    with psycopg.connect(OWNER_URL, autocommit=True) as conn:
        for (datname,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{name}%",)
        ).fetchall():
            _drop_database(conn, datname)


def _drop_database(conn, datname: str) -> None:
    """DROP DATABASE ... WITH (FORCE) terminates the database's other backends, which the
    owner may do only for its own role's. A backend of the runtime role whose client (a
    check run by the restore) has just disconnected can take a moment to exit on a loaded
    machine (CI, 03/12/2026: "must be a member of the role whose process is being
    terminated"), so wait up to 10 s for the others to leave first."""
    for _ in range(100):
        (others,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (datname,),
        ).fetchone()
        if not others:
            break
        time.sleep(0.1)
    conn.execute(f'DROP DATABASE "{datname}" WITH (FORCE)')


def ops_env(db, tmp_path, **extra):
    return base_env(
        DATABASE_URL=db["runtime"],
        DATABASE_OWNER_URL=db["owner"],
        BACKUP_DIR=str(tmp_path / "backups"),
        PGBIN_DIR=str(pg_bin()),
        **extra,
    )


def test_backup_then_restore_into_a_new_database_passes_every_check(seeded_database, tmp_path):
    db = seeded_database
    age = shutil.which("age") and shutil.which("age-keygen")
    extra = {}
    if age:
        key = tmp_path / "backup.key"
        keygen = run(["age-keygen", "-o", str(key)], base_env())
        recipient = keygen.stderr.split("Public key:")[1].strip()
        extra = {"BACKUP_AGE_RECIPIENT": recipient}
    backup = run(["bash", "deploy/backup.sh"], ops_env(db, tmp_path, **extra))
    dump = backup.stdout.strip().splitlines()[-1]
    assert dump.endswith(".dump.age" if age else ".dump")
    assert "[ " in backup.stderr and "clinic_accessevent" in backup.stderr  # progress
    files = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(files) == 3, files  # the dump, its manifest and the checksums
    assert all(((tmp_path / "backups" / f).stat().st_mode & 0o077) == 0 for f in files)
    if age:  # encrypted: no PostgreSQL archive header in the file
        with open(dump, "rb") as fh:
            assert not fh.read(5).startswith(b"PGDMP")

    target = f"{db['name']}_restored"
    restore = run(
        ["bash", "deploy/restore.sh", dump],
        ops_env(
            db,
            tmp_path,
            RESTORE_DB=target,
            BACKUP_AGE_IDENTITY=str(tmp_path / "backup.key"),
        ),
    )
    log = restore.stderr
    assert "checksums OK" in log
    for check in (
        "OK   row counts of every table",
        "OK   triggers",
        "OK   grants to the runtime role",
        "OK   the access log's triggers are in place",
        "may only INSERT and SELECT the access log",
        "OK   verify_access_log",
        "PASSED",
    ):
        assert check in log, log
    assert "FAIL" not in log
    assert restore.stdout.strip().splitlines()[-1] == target

    # The live database was never the target, and the restored one really is new.
    import psycopg

    with psycopg.connect(with_database(db["owner"], target)) as conn:
        patients = conn.execute("SELECT count(*) FROM patients_patient").fetchone()[0]
    assert patients == 20


def test_restoring_over_the_live_database_or_a_damaged_backup_is_refused(seeded_database, tmp_path):
    db = seeded_database
    backup = run(["bash", "deploy/backup.sh"], ops_env(db, tmp_path))
    dump = backup.stdout.strip().splitlines()[-1]
    assert dump.endswith(".dump")

    over_live = run(
        ["bash", "deploy/restore.sh", dump],
        ops_env(db, tmp_path, RESTORE_DB=db["name"]),
        check=False,
    )
    assert over_live.returncode == 2
    assert "refusing to restore over the live database" in over_live.stderr

    with open(dump, "r+b") as fh:  # one byte changed in the middle
        fh.seek(os.path.getsize(dump) // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    damaged = run(
        ["bash", "deploy/restore.sh", dump],
        ops_env(db, tmp_path, RESTORE_DB=f"{db['name']}_damaged"),
        check=False,
    )
    assert damaged.returncode == 1
    assert "CHECKSUM MISMATCH" in damaged.stderr
    assert "created database" not in damaged.stderr
