"""Writes for patients and questionnaires. Each service validates, writes and records
history in one transaction; views only call these."""

import contextlib
import copy
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import cached_property

from clinic.history_writes import insert_with_history
from clinic.models import Counter
from patients import selectors
from patients.choices import PatientStatus
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment, SubjectAccessRequest
from patients.rollups import record_registration, registration_sql
from patients.validators import normalise_nhs_number, normalise_phone, normalise_postcode

RECORD_NUMBER_COUNTER = "patient_record_number"


class PossibleDuplicate(Exception):
    """Registration stopped: likely existing records that the user must look at first."""

    def __init__(self, matches: list[Patient]):
        """`matches`: the records to show, strongest first (selectors.PossibleMatches,
        with `total` and `at_least`: how many matched in all)."""
        super().__init__(f"{len(matches)} possible duplicate(s)")
        self.matches = matches


class NhsNumberInUse(ValidationError):
    """The NHS number belongs to another patient (the unique constraint): `patient` is
    that record, so the message can link to it. It is read when first asked for, after
    the failed write's transaction (or savepoint) has been rolled back."""

    def __init__(self, nhs_number: str, *, exclude_pk: int | None = None):
        super().__init__(
            {"nhs_number": "Another patient already has this NHS number."}, code="unique"
        )
        self.nhs_number = nhs_number
        self.exclude_pk = exclude_pk

    @cached_property
    def patient(self) -> Patient | None:
        others = Patient.objects.filter(nhs_number=self.nhs_number)
        if self.exclude_pk is not None:
            others = others.exclude(pk=self.exclude_pk)
        return others.first()


# Checked by the database itself on the INSERT/UPDATE: full_clean() would re-check each
# in Python with one SELECT apiece (the user of registered_by, public_id, record_number,
# the NHS number, the status) before the write (issue 14.3).
_CHECKED_BY_THE_DATABASE = tuple(f.name for f in Patient._meta.fields if f.is_relation)


def _is_nhs_number_taken(error: IntegrityError) -> bool:
    text = str(error)
    return "patient_nhs_number_unique" in text or "patients_patient.nhs_number" in text


def _validate(patient: Patient, also_exclude: tuple[str, ...] = ()) -> None:
    """Validate the fields in Python (formats, choices, lengths, the NHS check digit): the
    unique and check constraints are the database's own."""
    patient.full_clean(
        exclude=_CHECKED_BY_THE_DATABASE + also_exclude,
        validate_unique=False,
        validate_constraints=False,
    )


@contextlib.contextmanager
def _nhs_number_taken_is_a_form_error(patient: Patient):
    """A taken NHS number raises NhsNumberInUse, as full_clean() did (the same form error);
    the caller's atomic block rolls the failed write back."""
    try:
        yield
    except IntegrityError as error:
        if patient.nhs_number and _is_nhs_number_taken(error):
            raise NhsNumberInUse(patient.nhs_number, exclude_pk=patient.pk) from error
        raise


def _insert_validated(patient: Patient, *, user) -> None:
    """A new patient as _save_validated writes it, with its record number, without save()'s
    signal round; what the other post_save receivers of a new Patient do is written with it
    (the registrations per day; the status rollup acts on status updates only:
    tests/patients/test_registration_statements.py fails when a receiver is added). The
    admin, factories and imports still save().

    PostgreSQL: one statement (clinic.history_writes) allocates the number (the counter's
    row lock and increment, rolled back with the rest), inserts the row and its history
    row and counts the day. SQLite: the number, the row with its history row, the day."""
    user_id = user.pk if user else None
    postgresql = connection.vendor == "postgresql"
    if not postgresql:
        patient.record_number = allocate_record_numbers(1)[0]
    _validate(patient, also_exclude=("record_number",) if postgresql else ())
    patient.refresh_name_keys()  # what Patient.save() derives
    with _nhs_number_taken_is_a_form_error(patient):
        if not postgresql:
            insert_with_history(patient, user_id=user_id, when=timezone.now())
            record_registration(Patient, patient, created=True)
            return
        counter, params = Counter.next_value_sql(RECORD_NUMBER_COUNTER)
        insert_with_history(
            patient,
            user_id=user_id,
            when=timezone.now(),
            before=[("number", counter, params)],
            computed={"record_number": (RECORD_NUMBER_SQL, [settings.CLINIC_RECORD_PREFIX])},
            also=[registration_sql("made")],
        )


def _save_validated(patient: Patient, **save_kwargs) -> None:
    _validate(patient)
    with _nhs_number_taken_is_a_form_error(patient):
        patient.save(**save_kwargs)


@dataclass
class EditConflict(Exception):
    """Someone saved the record (a patient, a subject access request) after the editor
    opened it; nothing was written."""

    current: Patient | SubjectAccessRequest

    def __str__(self) -> str:
        return "The record was changed by someone else"


def format_record_number(number: int) -> str:
    return f"{settings.CLINIC_RECORD_PREFIX}{number:06d}"


# format_record_number in SQL, for the number a registration's statement allocates (the
# WITH item `number`): the prefix and the number, zero-padded to 6 digits.
RECORD_NUMBER_SQL = (
    "(SELECT %s || lpad(value::text, greatest(6, length(value::text)), '0') FROM number)"
)


def allocate_record_numbers(count: int) -> list[str]:
    return [format_record_number(n) for n in Counter.allocate(RECORD_NUMBER_COUNTER, count)]


def _normalise(fields: dict) -> dict:
    cleaned = dict(fields)
    for name in ("given_names", "family_name", "preferred_name"):
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = " ".join(cleaned[name].split())
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"] or "")
    for name in ("phone", "emergency_contact_phone"):
        if cleaned.get(name):
            cleaned[name] = normalise_phone(cleaned[name])
    if cleaned.get("postcode"):
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip().lower()
    return cleaned


CONTACT_CHANNELS = ("email", "sms")
# "contact": service messages (reminders, aftercare, offers); "marketing": recalls, news.
CONSENT_PURPOSES = ("contact", "marketing")
CONSENT_FLAGS = [f"consent_{p}_{c}" for p in CONSENT_PURPOSES for c in CONTACT_CHANNELS]


def _stamp_contact_consents(patient: Patient, previous: Patient | None) -> None:
    """When each consent to service messages and to marketing was given, per channel."""
    now = timezone.now()
    for flag in CONSENT_FLAGS:
        given = getattr(patient, flag)
        was_given = getattr(previous, flag) if previous is not None else False
        if given and not was_given:
            setattr(patient, f"{flag}_at", now)
        elif not given:
            setattr(patient, f"{flag}_at", None)


# Namespace of the registration advisory locks (the two-integer form of PostgreSQL's
# advisory locks, so that they never collide with single-key locks taken elsewhere).
REGISTRATION_LOCK_NAMESPACE = 1001


def _serialise_registrations_of(*, date_of_birth) -> None:
    """Registrations of the same date of birth run one after the other, so that the
    second one's duplicate check sees the first one's record: by date of birth alone,
    as the check reads (a surname mistyped in one of them still matches). About 35 people
    share a birthday at 1,000,000 patients, so two such registrations at the same moment
    are rare. On PostgreSQL an advisory lock held to the end of the transaction; SQLite
    already runs one write transaction at a time (immediate transactions,
    clinic.settings.base)."""
    if connection.vendor != "postgresql" or not date_of_birth:
        return
    key = date_of_birth.isoformat().encode()
    digest = hashlib.blake2b(key, digest_size=4).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [REGISTRATION_LOCK_NAMESPACE, int.from_bytes(digest, "big", signed=True)],
        )


def patient_register(
    *, registered_by, confirm_not_duplicate: bool = False, savepoint: bool = True, **fields
) -> Patient:
    """Create a patient with a new record number.

    Raises PossibleDuplicate unless the user has confirmed that the matches shown to
    them are different people.

    `savepoint=False`: for a caller whose transaction is rolled back as a whole when this
    raises (the view's one-time token, clinic.idempotency): no SAVEPOINT and RELEASE of
    its own, 2 statements fewer per registration. Inside such a transaction, an exception
    from here leaves it unusable until it ends.
    """
    with transaction.atomic(savepoint=savepoint):
        return _register(
            registered_by=registered_by, confirm_not_duplicate=confirm_not_duplicate, **fields
        )


def _register(*, registered_by, confirm_not_duplicate: bool, **fields) -> Patient:
    fields = _normalise(fields)
    _serialise_registrations_of(date_of_birth=fields.get("date_of_birth"))
    if not confirm_not_duplicate:
        matches = selectors.patient_find_duplicates(
            nhs_number=fields.get("nhs_number", ""),
            family_name=fields.get("family_name", ""),
            given_names=fields.get("given_names", ""),
            preferred_name=fields.get("preferred_name", ""),
            date_of_birth=fields.get("date_of_birth"),
            phone=fields.get("phone", ""),
        )
        if matches:
            raise PossibleDuplicate(matches)
    patient = Patient(**fields, registered_by=registered_by)
    _stamp_contact_consents(patient, None)
    _insert_validated(patient, user=registered_by)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, updated_by, expected_version: int, **fields) -> Patient:
    """Save an edit only if nobody else saved the patient since the editor loaded it."""
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.version != expected_version:
        raise EditConflict(current=current)
    fields = _normalise(fields)
    previous = copy.copy(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _stamp_contact_consents(current, previous)
    current.version += 1
    current._history_user = updated_by
    _save_validated(current)
    return current


@transaction.atomic
def patient_withdraw_contact_consent(
    *, patient: Patient, channel: str, how: str, purpose: str = "marketing"
) -> Patient:
    """The patient withdrew consent to `purpose` ("marketing": recalls and news, as the
    unsubscribe link of a marketing message does; "contact": service messages) by
    `channel` (email or sms): the flag and its timestamp are cleared and the change
    history says how (`how`) and when; nobody on the staff is named. Repeating it changes
    nothing."""
    if channel not in CONTACT_CHANNELS:
        raise ValidationError(f"Unknown contact channel {channel!r}.")
    if purpose not in CONSENT_PURPOSES:
        raise ValidationError(f"Unknown consent {purpose!r}.")
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    flag = f"consent_{purpose}_{channel}"
    if not getattr(current, flag):
        return current
    setattr(current, flag, False)
    setattr(current, f"{flag}_at", None)
    current.version += 1
    current._change_reason = how[:100]
    current.save(update_fields=[flag, f"{flag}_at", "version", "updated_at"])
    return current


@transaction.atomic
def patient_archive(
    *, patient: Patient, archived_by, reason: str, expected_version: int
) -> Patient:
    """Archive (never delete): the record stays, searchable under "archived".

    `expected_version` is the version the archive page showed. The same form sent again
    (a double-click: archived already, with this reason) changes nothing; any other
    change since the page was opened (a restore, an edit) raises EditConflict and nothing
    is written, so a stale or replayed form never undoes someone else's change."""
    reason = (reason or "").strip()[:200]
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.status == PatientStatus.ARCHIVED and current.archived_reason == reason:
        return current
    if current.version != expected_version:
        raise EditConflict(current=current)
    if current.status == PatientStatus.ARCHIVED:
        return current
    if not reason:
        raise ValidationError({"reason": "Say why the record is archived."})
    current.status = PatientStatus.ARCHIVED
    current.archived_at = timezone.now()
    current.archived_reason = reason
    current.version += 1
    current._history_user = archived_by
    current.save(
        update_fields=["status", "archived_at", "archived_reason", "version", "updated_at"]
    )
    return current


@transaction.atomic
def patient_restore(*, patient: Patient, restored_by, expected_version: int) -> Patient:
    """Back to the active list. `expected_version` is the version the page with the
    restore button showed: active already (a double-click) changes nothing; any other
    change since (archived again, edited) raises EditConflict and nothing is written."""
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.status == PatientStatus.ACTIVE:
        return current
    if current.version != expected_version:
        raise EditConflict(current=current)
    current.status = PatientStatus.ACTIVE
    current.archived_at = None
    current.archived_reason = ""
    current.version += 1
    current._history_user = restored_by
    current.save(
        update_fields=["status", "archived_at", "archived_reason", "version", "updated_at"]
    )
    return current


@transaction.atomic
def questionnaire_submit(
    *, patient: Patient, entered_by, answers: dict, prior_treatments: list[dict]
) -> IntakeQuestionnaire:
    """Record a new, dated questionnaire. Earlier questionnaires are kept as they were."""
    questionnaire = IntakeQuestionnaire(patient=patient, entered_by=entered_by, **answers)
    questionnaire.full_clean()
    questionnaire._history_user = entered_by
    questionnaire.save()
    for row in prior_treatments:
        prior = PriorTreatment(questionnaire=questionnaire, patient=patient, **row)
        prior.full_clean()
        prior._history_user = entered_by
        prior.save()
    return questionnaire


@dataclass
class AlreadyReviewed(Exception):
    """Someone else reviewed the questionnaire first (or the same person, with another
    note): nothing was written, and `current` says who and when."""

    current: IntakeQuestionnaire

    def __str__(self) -> str:
        return "The questionnaire was already reviewed"


@transaction.atomic
def questionnaire_mark_reviewed(
    *, questionnaire: IntakeQuestionnaire, reviewed_by, note: str = ""
) -> IntakeQuestionnaire:
    """Record the review, once. A second review is refused (AlreadyReviewed), never
    dropped in silence: its note may matter ("on warfarin"). The same person sending the
    same review again (a double-click) is told it is done."""
    note = (note or "").strip()[:500]
    current = IntakeQuestionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if current.reviewed_at is not None:
        if current.reviewed_by_id == reviewed_by.pk and current.review_note == note:
            return current
        raise AlreadyReviewed(current)
    current.reviewed_by = reviewed_by
    current.reviewed_at = timezone.now()
    current.review_note = note
    current._history_user = reviewed_by
    current.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
    return current


# Subject access requests (issue 6) ------------------------------------------------------


@transaction.atomic
def subject_access_request_record(*, patient: Patient, recorded_by, **fields):
    """Log a subject access request; its deadline follows from the dates (rule 42)."""
    sar = SubjectAccessRequest(
        patient=patient,
        recorded_by=recorded_by,
        **{k: v for k, v in fields.items() if k in SubjectAccessRequest.EDITABLE_FIELDS},
    )
    sar.full_clean()
    sar._history_user = recorded_by
    sar.save()
    return sar


@transaction.atomic
def subject_access_request_update(*, sar, updated_by, expected_version: int, **fields):
    """Save an edit only if nobody else saved the request since the editor opened it
    (EditConflict otherwise, nothing written)."""
    current = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if current.version != expected_version:
        raise EditConflict(current=current)
    editable = SubjectAccessRequest.EDITABLE_FIELDS
    changed = [k for k in editable if k in fields and getattr(current, k) != fields[k]]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    current.full_clean()
    current.version += 1
    current._history_user = updated_by
    current.save(update_fields=[*changed, "version", "updated_at"])
    return current


class IdentityNotVerified(Exception):
    """A subject access copy was asked for before the requester's identity was checked."""


@transaction.atomic
def subject_access_copy_record(*, sar, produced_by, kind: str):
    """Record that a copy is being produced for this request, by whom and in which form.
    Refuses a request whose identity check is not recorded: the copy discloses the whole
    clinical record, so it is only ever made for someone shown to be the patient (or to
    hold their authority)."""
    from patients.models import SubjectAccessCopy

    if sar.identity_verified_on is None:
        raise IdentityNotVerified
    return SubjectAccessCopy.objects.create(request=sar, produced_by=produced_by, kind=kind)


# The distinct-name tables of name search (patients migration 0016, PostgreSQL): triggers
# add the names every INSERT or UPDATE of patients writes. A bulk loader that turns them
# off for a large load (the demo seed at a million patients) fills the tables afterwards
# with the same statements, once, over the patients it wrote.
SEARCH_NAME_TRIGGERS = ("patients_search_names_insert", "patients_search_names_update")
SEARCH_NAME_TABLES = ("patients_search_surname", "patients_search_given_name")
_SEARCH_NAMES_FILL = [
    "INSERT INTO patients_search_surname (key, tokens) "
    "SELECT DISTINCT family_name_key, family_name_tokens FROM patients_patient "
    "WHERE id >= %s ON CONFLICT DO NOTHING",
    "INSERT INTO patients_search_given_name (tokens) "
    "SELECT DISTINCT given_name_tokens FROM patients_patient WHERE id >= %s "
    "ON CONFLICT DO NOTHING",
]
# Read the rows once in table order and hash the names (a few tens of thousands): right
# after a bulk load the planner would walk a covering index and fetch every heap row
# (not yet marked all-visible), 16 s instead of 3 s at a million patients.
_WHOLE_TABLE_PLAN = {
    "enable_indexscan": "off",
    "enable_indexonlyscan": "off",
    "enable_bitmapscan": "off",
    "work_mem": "'64MB'",
}


def search_names_fill(*, from_id: int = 0) -> None:
    """Add the names of the patients with id >= from_id to the distinct-name tables, as
    the triggers would have (PostgreSQL only; names already there are left). Reads the
    whole table: for a load that wrote most of it."""
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in _WHOLE_TABLE_PLAN.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        for statement in _SEARCH_NAMES_FILL:
            cursor.execute(statement, [from_id])
        for name in _WHOLE_TABLE_PLAN:
            cursor.execute(f"RESET {name}")
