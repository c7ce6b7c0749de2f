"""Walk the access log's hash chain (clinic.access_chain) and report the first break.

    manage.py verify_access_log [--chunk-size 2000] [--progress-every 100000]
                                [--anchor CHAIN_SEQ:ROW_HASH]

Reads the events in chain_seq order through a server-side cursor (chunk by chunk: the
log may hold millions of rows), recomputes every row's hash and checks every link:

- a gap in chain_seq (an event removed, or a row inserted by hand out of sequence);
- a content hash that differs (the event was edited after it was written);
- a prev_hash that is not the previous event's row_hash (the previous event was
  rewritten together with its hash, or removed);
- with --anchor: the event at CHAIN_SEQ no longer has ROW_HASH, or the chain ends
  before it (events cut off the end). Keep the last line of a good run somewhere the
  database roles cannot write (the ops log, a ticket) and pass it next time.

Exit status 0 and the number of events verified when the chain is whole; otherwise the
first break on stderr and exit status 1. docs/operations.md "Verifying the access log".
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.models import CharField, F, Func

from clinic.access_chain import GENESIS_HASH, compute_hash, event_fields
from clinic.models import AccessEvent


class Command(BaseCommand):
    help = "Verify the access log's hash chain; exit 1 at the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--progress-every", type=int, default=100_000, help="rows between progress lines"
        )
        parser.add_argument(
            "--anchor",
            default="",
            help="CHAIN_SEQ:ROW_HASH from an earlier good run; fail if it is gone",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, chunk_size, progress_every, anchor, database, **options):
        anchor_seq, anchor_hash = _parse_anchor(anchor)
        events = AccessEvent.objects.using(database).order_by("chain_seq")
        on_postgres = connections[database].vendor == "postgresql"
        if on_postgres:
            # The trigger hashed host(ip_address): compare the same text.
            events = events.annotate(
                ip_text=Func(F("ip_address"), function="host", output_field=CharField())
            )
        started = time.monotonic()
        expected_seq, prev_hash, verified = 1, GENESIS_HASH, 0
        for event in events.iterator(chunk_size=chunk_size):
            problem = self.check_link(event, expected_seq, prev_hash, on_postgres)
            if problem is None and event.chain_seq == anchor_seq and event.row_hash != anchor_hash:
                problem = f"row_hash is {event.row_hash}, the anchor recorded {anchor_hash}"
            if problem:
                raise CommandError(
                    f"Access log chain BROKEN at chain_seq {event.chain_seq} "
                    f"(event id {event.pk}, {event.occurred_at:%Y-%m-%d %H:%M:%S%z}): "
                    f"{problem}. {verified:,} events before it verified.",
                    returncode=1,
                )
            verified += 1
            expected_seq, prev_hash = event.chain_seq + 1, event.row_hash
            if progress_every and verified % progress_every == 0:
                self.stderr.write(
                    f"... {verified:,} events verified ({time.monotonic() - started:.0f}s)"
                )
        if anchor_seq and expected_seq <= anchor_seq:
            raise CommandError(
                f"Access log chain BROKEN: it ends at chain_seq {expected_seq - 1}, before "
                f"the anchor chain_seq {anchor_seq} (events were removed from the end).",
                returncode=1,
            )
        self.stdout.write(
            f"{verified:,} events verified: the access log chain is unbroken "
            f"(last: {expected_seq - 1}:{prev_hash})."
        )

    @staticmethod
    def check_link(event, expected_seq: int, prev_hash: str, on_postgres: bool) -> str | None:
        if event.chain_seq != expected_seq:
            return (
                f"gap in the chain: expected chain_seq {expected_seq}, found {event.chain_seq} "
                f"(events {expected_seq}..{event.chain_seq - 1} missing)"
                if event.chain_seq > expected_seq
                else f"chain_seq out of order (expected {expected_seq})"
            )
        ip = event.ip_text if on_postgres else None
        recomputed = compute_hash(**event_fields(event, ip=ip))
        if recomputed != event.row_hash:
            return (
                f"content hash differs: stored row_hash {event.row_hash}, recomputed "
                f"{recomputed} (the event was changed after it was written)"
            )
        if event.prev_hash != prev_hash:
            return (
                f"link broken: prev_hash {event.prev_hash} is not the row_hash {prev_hash} "
                f"of chain_seq {expected_seq - 1} (that event was rewritten or removed)"
            )
        return None


def _parse_anchor(anchor: str) -> tuple[int, str]:
    if not anchor:
        return 0, ""
    seq, _, row_hash = anchor.partition(":")
    if not seq.isdigit() or len(row_hash) != 64:
        raise CommandError("--anchor must be CHAIN_SEQ:ROW_HASH (64 hex digits)")
    return int(seq), row_hash.lower()
