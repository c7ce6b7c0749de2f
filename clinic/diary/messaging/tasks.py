"""The outbox's background task (the pattern: clinic/background.py): the request records
the PatientMessage and queues its id on commit; the worker sends it, once. A channel
error is retried (TASKS_MAX_ATTEMPTS); after the last attempt the message is failed."""

from clinic.background import background_task


def _give_up(message_id: int) -> None:
    from clinic.diary.messaging.services import message_give_up

    message_give_up(message_id=message_id, error="Could not be sent (see the failed jobs)")


@background_task(on_give_up=_give_up)
def send_patient_message(message_id: int) -> str:
    from clinic.diary.messaging.services import message_send

    return message_send(message_id=message_id).status
