"""What treatments tells the floors above it, without importing them (import-linter:
the diary sits above treatments)."""

from django.dispatch import Signal

# Sent inside session_sign's transaction: `session` (signed: status, signed_at and
# signed_by set) and `also`. On PostgreSQL `also` is a list and the signal comes just
# before the signed row is written: a receiver appends (name, SQL, parameters) WITH items
# (clinic.history_writes.update_where_items) that the signed row's own statement writes
# (one statement fewer per signing, issue 14.3). Elsewhere `also` is None and the signal
# comes after the signed row is written: a receiver writes its rows itself.
session_signed = Signal()

# Sent inside session_withdraw's transaction, after the withdrawn row is written:
# `session` (withdrawn: its status set, its `withdrawal` who, when and why) and `by`. A receiver
# writes its own rows (the diary: the appointment the session was started from).
session_withdrawn = Signal()
