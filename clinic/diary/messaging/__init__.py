"""Messages to patients (issue 15.5): appointment reminders, recall messages, aftercare
advice (rule 40) and waiting-list offers, by email or SMS, through the background worker.

Every message is a PatientMessage row (the outbox): recorded queued, skipped (with why)
or, once the worker has run, sent or failed. Consent (DOMAIN §6.4, rule 37) is decided
when the message is recorded and again when it is sent: a channel is used only with the
patient's consent to that channel; recall messages, the marketing-like kind, carry an
unsubscribe link.

- `models`, `choices`: the outbox row;
- `channels`: email (Django's mailer) and SMS (`SmsProvider`: the recording fake, Twilio);
- `texts`: what each kind says, and the signed unsubscribe link;
- `services`: record and send (`message_request`, `message_send`), recalls, aftercare;
- `reminders`: scheduled when an appointment is booked or moved, skipped when it moves
  or is cancelled;
- `tasks`: the background task; `selectors`: the outbox and the counts; `views`: pages.
"""
