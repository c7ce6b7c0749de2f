"""The access log's hash chain (issue 10, point 6): every event links to the one before;
`manage.py verify_access_log` finds an edited, removed or re-hashed event."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import CharField, F, Func

from clinic.access_chain import GENESIS_HASH, canonical_text, compute_hash, event_fields
from clinic.audit import patient_from_url, record_access
from clinic.models import AccessEvent

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")


def write(rf, user, *, path="/patients/", patient=None, ip="10.1.2.3"):
    request = rf.get(path, REMOTE_ADDR=ip)
    request.user = user
    record_access(request, action="patient.view", patient=patient)


def chain():
    events = AccessEvent.objects.order_by("chain_seq")
    if connection.vendor == "postgresql":
        events = events.annotate(
            ip_text=Func(F("ip_address"), function="host", output_field=CharField())
        )
    return list(events)


def assert_chained(events):
    prev = GENESIS_HASH
    for seq, event in enumerate(events, 1):
        ip = getattr(event, "ip_text", None)
        assert (event.chain_seq, event.prev_hash) == (seq, prev)
        assert event.row_hash == compute_hash(**event_fields(event, ip=ip))
        prev = event.row_hash


def verify(**options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_access_log", progress_every=0, stdout=out, **options)
    return out.getvalue()


@contextmanager
def guard_off():
    """As the OWNER: the append-only trigger switched off (PostgreSQL), as an attacker
    with the owner's password could; SQLite has no guard."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else ALTER TABLE waits for them
        cursor.execute(
            "ALTER TABLE clinic_accessevent DISABLE TRIGGER clinic_accessevent_append_only"
        )
        try:
            yield
        finally:
            cursor.execute(
                "ALTER TABLE clinic_accessevent ENABLE TRIGGER clinic_accessevent_append_only"
            )


def test_canonical_text_is_length_prefixed_and_null_aware():
    text = canonical_text(
        chain_seq=7,
        occurred_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        user_id=None,
        username="ü|5:x",
        role="",
        patient_id=12,
        action="patient.view",
        object_ref="",
        method="GET",
        path="/p/",
        ip=None,
        status_code=200,
        prev_hash=GENESIS_HASH,
    )
    assert text == (
        "v1|1:7|16:1767323045678901|-|5:ü|5:x|0:|2:12|12:patient.view|0:|3:GET|3:/p/|-|3:200|"
        f"64:{GENESIS_HASH}"
    )


def test_record_access_chains_every_event(rf, manager, patient):
    write(rf, manager)
    write(rf, manager, path=patient.get_absolute_url(), patient=patient, ip="2001:db8::7")
    resolver = patient_from_url()
    write(rf, manager, patient=resolver(None, public_id=patient.public_id), ip="")
    AccessEvent.objects.create(
        username="ünïcode", action="report.view", method="GET", path="/r?q=a|b", status_code=200
    )
    events = chain()
    assert len(events) == 4 and events[2].patient_id == patient.pk
    assert_chained(events)
    assert verify().startswith("4 events verified")


def test_bulk_create_chains_too(manager):
    """The demo seed writes its events with bulk_create."""
    write_many = [
        AccessEvent(
            username=manager.username, action="patient.view", method="GET", path=f"/{n}",
            status_code=200, ip_address="10.0.0.1",
        )
        for n in range(5)
    ]  # fmt: skip
    AccessEvent.objects.bulk_create(write_many)
    assert_chained(chain())
    assert verify().startswith("5 events verified")


def test_an_empty_log_verifies():
    assert verify().startswith("0 events verified")


@on_postgres
def test_the_trigger_chains_whatever_the_writer_sends(manager):
    AccessEvent.objects.create(
        username="a", action="x", method="GET", path="/", status_code=200, chain_seq=50,
        prev_hash="f" * 64, row_hash="f" * 64,
    )  # fmt: skip
    AccessEvent.objects.create(username="b", action="x", method="GET", path="/", status_code=200)
    assert_chained(chain())


@on_postgres
def test_recording_an_access_stays_one_insert(rf, manager, patient, django_assert_num_queries):
    resolver = patient_from_url()
    request = rf.get(patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    request.user = manager
    manager.get_all_permissions()  # as require_perm would have, before the view
    with django_assert_num_queries(1):
        record_access(
            request, action="patient.view", patient=resolver(None, public_id=patient.public_id)
        )
    assert_chained(chain())


@pytest.fixture
def five_events(rf, manager):
    for n in range(5):
        write(rf, manager, path=f"/patients/?page={n}")
    assert verify().startswith("5 events verified")


def test_verify_fails_on_an_edited_event(five_events):
    with guard_off():
        AccessEvent.objects.filter(chain_seq=3).update(username="somebody-else")
    with pytest.raises(CommandError, match=r"chain_seq 3 \(event id \d+.*content hash") as error:
        verify()
    assert error.value.returncode == 1


def test_verify_fails_on_a_removed_event(five_events):
    with guard_off():
        AccessEvent.objects.filter(chain_seq=2).delete()
    with pytest.raises(CommandError, match=r"chain_seq 3 .*gap.*expected chain_seq 2"):
        verify()


def test_verify_fails_on_a_rewritten_hash(five_events):
    """Edit an event AND give it a matching hash: the next event's link breaks."""
    with guard_off():
        AccessEvent.objects.filter(chain_seq=3).update(path="/somewhere-else")
        event = next(e for e in chain() if e.chain_seq == 3)
        rehashed = compute_hash(**event_fields(event, ip=getattr(event, "ip_text", None)))
        AccessEvent.objects.filter(chain_seq=3).update(row_hash=rehashed)
    with pytest.raises(CommandError, match=r"chain_seq 4 .*link broken.*chain_seq 3"):
        verify()


def test_verify_fails_when_the_anchor_is_gone(five_events):
    last = AccessEvent.objects.get(chain_seq=5)
    assert verify(anchor=f"5:{last.row_hash}").startswith("5 events verified")
    with guard_off():
        AccessEvent.objects.filter(chain_seq=5).delete()
    with pytest.raises(CommandError, match="ends at chain_seq 4, before the anchor"):
        verify(anchor=f"5:{last.row_hash}")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_unbroken_chain(rf):
    """Several threads, each its own connection, write at once: the trigger's advisory
    lock serializes them into one chain (no fork, no duplicate chain_seq, no gap)."""
    from tests.factories import UserFactory

    user = UserFactory(username="concurrent")
    threads, per_thread, errors = 4, 15, []
    barrier = threading.Barrier(threads)

    def work(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                write(rf, user, path=f"/t{n}/{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    events = chain()
    assert len(events) == threads * per_thread
    assert_chained(events)
    assert verify().startswith(f"{threads * per_thread} events verified")
