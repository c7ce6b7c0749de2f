"""Queue every message whose time has come that is still queued (issue 15.5).

Not needed with the database task backend, which defers each reminder's task to its time
(`run_after`); run it from cron where the backend cannot defer, or after a queue was
lost (a Redis flushed): sending is once only, so queueing twice does no harm.
"""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue the patient messages that are due and not yet sent."

    def handle(self, *args, **options):
        from clinic.diary.messaging.services import requeue_due_messages

        count = requeue_due_messages()
        self.stdout.write(f"Queued {count} message(s).")
