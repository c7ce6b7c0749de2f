"""One-time submission tokens: a double-click, a resubmitted POST or a replayed form on a
create page returns the first result instead of making a second record. And for an edit
(`locked_for_edit`): the record locked, a form sent twice recognised, a stale one refused.

Every create form carries a hidden `submission_token` (a UUID minted when the form is
first shown, kept when the form is re-shown with errors). The view runs its service
through `submit_once`:

    outcome = submit_once(request, form, lambda: services.vial_receive(...).get_absolute_url())
    if outcome is not None:
        return redirect(outcome.url)

How it holds under concurrency: the token is claimed by an INSERT ... ON CONFLICT DO
NOTHING into a table whose primary key is the token, in the same transaction as the
record it creates, or (`in_statement`, PostgreSQL: a record written by one statement, the
session start) in the record's own statement, which writes the record only if the claim
took. A second request with the same token blocks on that key until the
first commits, then inserts nothing and is sent to the first one's result; if the first
rolled back (a form error), the second simply goes ahead. On SQLite, writes are
serialised by immediate transactions (clinic.settings.base); a database still busy past
its timeout re-shows the form with "try again" and everything typed kept, never a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

FIELD = "submission_token"

BUSY_MESSAGE = (
    "The clinic's database was busy and nothing was saved. "
    "Everything you typed is still here: please press the button again."
)
REPLAYED_MESSAGE = "That form had already been sent: here is what it saved the first time."
# Every form and button says this when its token cannot be used (unreadable, or another
# user's): `submit_once` says it, and gives the form a fresh token so sending it again works.
UNCHECKED_SUBMISSION_MESSAGE = (
    "This form could not be checked as a single submission. "
    "Nothing was saved; please submit it again."
)


class _Unreadable:
    def __repr__(self) -> str:
        return "UNREADABLE_TOKEN"


UNREADABLE_TOKEN = _Unreadable()


class SubmissionTokenField(forms.UUIDField):
    """The hidden one-time token. Optional, so a client without it still works (it just
    gets no double-submit protection).

    An unreadable token is not a field error (a hidden field's error shows nowhere, and
    the form would come back with the same bad token, forever): it cleans to
    UNREADABLE_TOKEN, which `submit_once` refuses with UNCHECKED_SUBMISSION_MESSAGE, and the form
    shown again carries a fresh token."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return UNREADABLE_TOKEN

    def bound_data(self, data, initial):
        return uuid.uuid4() if self.to_python(data) is UNREADABLE_TOKEN else data


class OnceForm(forms.Form):
    """A button that writes (send aftercare advice, prepare an export, issue a
    set-password link): only its one-time token, so that a double-click or a resent POST
    does it once."""

    submission_token = SubmissionTokenField()


@dataclass(frozen=True)
class Outcome:
    url: str
    replayed: bool


class TokenUsedElsewhere(Exception):
    """The token belongs to another user's submission: never reveal its result."""


def is_database_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" / PostgreSQL's lock timeout: worth a retry by the user."""
    text = str(exc).lower()
    return any(sign in text for sign in ("database is locked", "table is locked", "lock timeout"))


def _claim_sql(model, *, token, user, result_url: str) -> tuple[str, list]:
    field = model._meta.get_field
    return (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 (the model's own table)
        "(token, user_id, result_url, created_at) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (token) DO NOTHING",
        [
            field("token").get_db_prep_value(token, connection),
            user.pk,
            result_url[:300],
            field("created_at").get_db_prep_value(timezone.now(), connection),
        ],
    )


def _claim(model, *, token, user, result_url: str = "") -> bool:
    """INSERT the token unless it exists, in one statement (no savepoint around an
    IntegrityError): True when this request claimed it. On PostgreSQL a concurrent claim
    of the same token waits for the other transaction: its commit means "taken", its
    rollback lets this one insert."""
    with connection.cursor() as cursor:
        cursor.execute(*_claim_sql(model, token=token, user=user, result_url=result_url))
        return cursor.rowcount == 1


@dataclass(frozen=True)
class Claim:
    """The token's claim as a WITH item of the caller's own single statement (PostgreSQL),
    which writes its record only when the claim returned a row
    (clinic.history_writes.insert_with_history's `before` and `only_if`): the claim and
    the record in one statement, which needs no transaction around it. A concurrent claim
    of the same token waits for it as `_claim` does."""

    name: str
    sql: str
    params: list

    @property
    def item(self) -> tuple[str, str, list]:
        return self.name, self.sql, self.params


def _first_result(model, *, token, user) -> Outcome:
    """The token was claimed before: the first submission's result, if it was this user's."""
    first = model.objects.filter(token=token).first()
    if first is None or first.user_id != user.pk or not first.result_url:
        raise TokenUsedElsewhere from None
    return Outcome(url=first.result_url, replayed=True)


def run_once(
    *,
    token,
    user,
    perform: Callable[..., str | None],
    result_url: str | None = None,
    in_statement: bool = False,
) -> Outcome:
    """Run `perform` (which writes and returns the URL of what it made) at most once per
    token. Exceptions from `perform` roll back the claim with everything else.

    `result_url`, when the caller knows the URL before `perform` runs (it chose the new
    record's public id), is written by the claim itself: one UPDATE fewer (issue 14.3).
    Should `perform` return another URL, that one is stored.

    `in_statement` (with `result_url`): `perform(claim)` writes the record in one
    statement that carries `claim` (a Claim on PostgreSQL; None elsewhere, or without a
    token, inside a transaction as usual), and returns None when the claim found the token
    taken and so nothing was written (issue 14.3: no transaction, no statement of its own
    for the claim)."""
    from clinic.models import SubmissionToken

    args = [None] if in_statement else []
    if token is None:
        with transaction.atomic():
            return Outcome(url=perform(*args), replayed=False)
    if in_statement and connection.vendor == "postgresql":
        if not result_url:
            raise ValueError("in_statement: the claim stores result_url, so it is needed")
        sql, params = _claim_sql(SubmissionToken, token=token, user=user, result_url=result_url)
        url = perform(Claim("claim", f"{sql} RETURNING token", params))
        if url is None:
            return _first_result(SubmissionToken, token=token, user=user)
        if url[:300] != result_url[:300]:
            raise ValueError("in_statement: perform must lead to result_url")
        return Outcome(url=url, replayed=False)
    with transaction.atomic():
        if not _claim(SubmissionToken, token=token, user=user, result_url=result_url or ""):
            return _first_result(SubmissionToken, token=token, user=user)
        url = perform(*args)
        if url[:300] != (result_url or "")[:300]:
            SubmissionToken.objects.filter(token=token).update(result_url=url[:300])
        return Outcome(url=url, replayed=False)


def submit_once(
    request,
    form,
    perform: Callable[..., str | None],
    result_url: str | None = None,
    *,
    in_statement: bool = False,
    replayed_message: str = REPLAYED_MESSAGE,
) -> Outcome | None:
    """`run_once` for a view: the token comes from the validated form. Returns None when
    the form got an error to show (busy database, or a token that is unreadable or not
    this user's); the service's own exceptions (validation, duplicates) propagate to the
    view. A replay is told `replayed_message` (where the first result is not shown
    again, the view says what to do instead)."""
    token = form.cleaned_data.get(FIELD)
    if token is UNREADABLE_TOKEN:
        _refuse_token(form)
        return None
    try:
        outcome = run_once(
            token=token,
            user=request.user,
            perform=perform,
            result_url=result_url,
            in_statement=in_statement,
        )
    except TokenUsedElsewhere:
        _refuse_token(form)
        return None
    except OperationalError as exc:
        if not is_database_busy(exc):
            raise
        from clinic.request_log import record_timeout  # counted for /healthz/ready, logged

        record_timeout(request, "busy_form")
        form.add_error(None, BUSY_MESSAGE)
        return None
    if outcome.replayed:
        messages.info(request, replayed_message)
    return outcome


def replayed_outcome(request, form, *, replayed_message: str = REPLAYED_MESSAGE) -> Outcome | None:
    """The first outcome of this form's token when this user's earlier submission claimed
    it already (a double-click or a resent form), told as `submit_once` tells a replay;
    None otherwise (no token, a fresh one, another user's). For a view that refuses
    before the claim is tried: on PostgreSQL a session start's claim rides in its own
    statement, so a replayed start finds the draft its first submission made and is
    refused for it (treatments.views.sessions.session_new) unless this says it was a
    replay."""
    from clinic.models import SubmissionToken

    token = form.cleaned_data.get(FIELD)
    if token is None or token is UNREADABLE_TOKEN:
        return None
    try:
        outcome = _first_result(SubmissionToken, token=token, user=request.user)
    except TokenUsedElsewhere:
        return None
    messages.info(request, replayed_message)
    return outcome


def press_once(
    request,
    perform: Callable[..., str | None],
    *,
    back: str,
    replayed_message: str = REPLAYED_MESSAGE,
    extra_tags: str = "",
) -> Outcome | None:
    """A button of its own (OnceForm: the one-time token alone) run once per token: a
    double-click or a resent form gets the first press's outcome (`replayed` set). None
    when nothing was done, the reason already said as an error message: the service
    refused (its ValidationError), or the token was unreadable, not this user's, or the
    database busy; the caller goes `back`. The message buttons, a staff account's
    set-password link and a report's export all press through it."""
    form = OnceForm(request.POST)
    form.is_valid()  # the token alone: an unreadable one is refused by submit_once
    try:
        outcome = submit_once(
            request, form, perform, result_url=back, replayed_message=replayed_message
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message, extra_tags=extra_tags)
        return None
    if outcome is None:
        for error in form.non_field_errors():
            messages.error(request, error, extra_tags=extra_tags)
    return outcome


def _refuse_token(form) -> None:
    """Nothing was done: say so, and give the form shown again (everything typed kept) a
    fresh token, so that sending it again is a new submission."""
    form.add_error(None, UNCHECKED_SUBMISSION_MESSAGE)
    form.data = form.data.copy()
    form.data[form.add_prefix(FIELD)] = str(uuid.uuid4())


def without_token(cleaned_data) -> dict:
    """A create form's fields for its service, without the one-time submission token."""
    return {name: value for name, value in cleaned_data.items() if name != FIELD}


def locked_for_edit(record, expected_version: int | None, *, conflict, done_already=None):
    """The record an edit changes, read again and locked (SELECT ... FOR UPDATE) inside the
    edit's transaction. `done_already(current)`: whether it already is as the form asks
    (the same form sent twice, or someone else did the same first): then it is returned
    with `replayed` set and the caller writes nothing. Otherwise a version other than the
    one the page showed (`expected_version`; None: not checked) raises
    `conflict(current)`: someone saved it since, and nothing is overwritten."""
    current = type(record).objects.select_for_update().get(pk=record.pk)
    current.replayed = False
    if done_already is not None and done_already(current):
        current.replayed = True
        return current
    if expected_version is not None and current.version != expected_version:
        raise conflict(current)
    return current
