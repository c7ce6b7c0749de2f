"""The access log's hash chain: each AccessEvent carries its position (`chain_seq`), the
previous event's hash (`prev_hash`) and its own (`row_hash`, hex sha256 of the canonical
text below). Editing, deleting or re-hashing one event breaks the chain at that point,
even for the database role that owns the table (`manage.py verify_access_log`).

Who computes it:

- PostgreSQL: a BEFORE INSERT trigger (clinic migration 0005), whatever the writer sends.
  It takes a transaction-scoped advisory lock (ADVISORY_LOCK_KEY) so that concurrent
  requests append one after the other; the app still sends ONE INSERT per request. The
  lock is held until the writing transaction commits: write the event in autocommit (as
  clinic.audit does, after the view returned) or at the end of a short transaction, never
  early in a long one, or every other request's event waits for it.
- SQLite (the demo): `AccessEvent.save()` / `bulk_create()` call `fill_chain()` inside
  one small transaction (SQLite serializes writers; write transactions start IMMEDIATE):
  one SELECT (the last link, and the patient when it is given as a subquery), then the
  INSERT.

The canonical text is defined twice, here and in SQL (migrations 0005 and 0008,
`clinic_accessevent_canonical`); tests/clinic/test_access_log_chain.py pins that both
agree. Format (version 1), fields joined by "|":

    v1 | chain_seq | occurred_at (integer epoch microseconds) | user_id | username | role
       | patient_id | action | object_ref | method | path | ip (PostgreSQL host()) |
       status_code | prev_hash

each field written as "-" for NULL, or "<length in characters>:<text>". The row id is
not hashed (SQLite assigns it only after the hash is computed); `chain_seq` is the row's
identity in the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key taken by the PostgreSQL trigger (any fixed bigint).
ADVISORY_LOCK_KEY = 7_344_110_044
FORMAT = "v1"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _field(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    return f"{len(text)}:{text}"


def epoch_microseconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def canonical_text(
    *,
    chain_seq: int,
    occurred_at: datetime,
    user_id: int | None,
    username: str | None,
    role: str | None,
    patient_id: int | None,
    action: str | None,
    object_ref: str | None,
    method: str | None,
    path: str | None,
    ip: str | None,
    status_code: int | None,
    prev_hash: str,
) -> str:
    fields = [
        chain_seq,
        epoch_microseconds(occurred_at),
        user_id,
        username,
        role,
        patient_id,
        action,
        object_ref,
        method,
        path,
        ip or None,
        status_code,
        prev_hash,
    ]
    return FORMAT + "|" + "|".join(_field(value) for value in fields)


def compute_hash(**fields) -> str:
    return hashlib.sha256(canonical_text(**fields).encode("utf-8")).hexdigest()


def event_fields(event, *, ip: str | None = None) -> dict:
    """The hashed fields of an AccessEvent (or a historical-model row). `ip` overrides
    the stored address text (the verifier passes PostgreSQL's host(ip_address))."""
    return {
        "chain_seq": event.chain_seq,
        "occurred_at": event.occurred_at,
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "patient_id": event.patient_id,
        "action": event.action,
        "object_ref": event.object_ref,
        "method": event.method,
        "path": event.path,
        "ip": ip if ip is not None else event.ip_address,
        "status_code": event.status_code,
        "prev_hash": event.prev_hash,
    }


def fill_chain(events: Iterable, last: tuple[int | None, str | None]) -> None:
    """Give unsaved events their chain fields, in order, after `last` ((chain_seq,
    row_hash) of the last saved event, or Nones for an empty log). Not on PostgreSQL: the
    trigger does it there. Call inside the writing transaction."""
    seq, prev = last
    seq, prev = (seq or 0), (prev or GENESIS_HASH)
    for event in events:
        seq += 1
        event.chain_seq = seq
        event.prev_hash = prev
        event.row_hash = compute_hash(**event_fields(event))
        prev = event.row_hash
