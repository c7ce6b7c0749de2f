"""What treatments tells the floors above it, without importing them (import-linter:
the diary sits above treatments)."""

from django.dispatch import Signal

# Sent inside session_sign's transaction, after the session is signed: `session`.
session_signed = Signal()
