"""What a create view passes on from a submitted form."""

from clinic.idempotency import FIELD as SUBMISSION_TOKEN


def without_token(cleaned_data) -> dict:
    """A create form's fields for its service, without the one-time submission token."""
    return {name: value for name, value in cleaned_data.items() if name != SUBMISSION_TOKEN}
