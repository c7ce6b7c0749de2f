"""The subject access copy as a document for the patient (issue 13.20): the printable page
reads it, the JSON copy does not.

record_export builds the complete copy (every field, every version, ids and codes
included) and that stays the JSON. This module lays the same sections out for a reader:
plain-English headings with a line on what each holds, each record as label and value
(never a table wider than the page), staff by name, linked records by name rather than
internal number, codes left out, and the change history as what changed, when and by
whom. The names are looked up in one query per kind of linked record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from clinic.audit import ACTIONS
from patients.record_export import SECTIONS, SubjectAccessCopy

# Internal bookkeeping: identifiers, search keys, versions, codes for software. The JSON
# copy keeps them all.
HIDDEN = {
    "id",
    "public_id",
    "version",
    "order",
    "updated_at",
    "patient",
    "family_name_key",
    "family_name_tokens",
    "given_name_tokens",
    "code",
    "rule_code",
    "history_id",
    "history_change_reason",
}
# django-simple-history's change types, as symbols or as their labels.
HISTORY_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# What one record of a section is called ("Treatment session of 02/12/2026"); None: the
# section holds one record, under the section's own heading.
NOUNS = {
    "Personal details": None,
    "Medical questionnaires": "Questionnaire",
    "Toxin treatments elsewhere": "Treatment elsewhere",
    "Treatment sessions": "Treatment session",
    "Injection points": "Injection",
    "Vial draws": "Medicine drawn",
    "Safety findings": "Safety check",
    "Addenda (corrections)": "Correction",
    "Follow-ups": "Follow-up",
    "Outcome scores": "Outcome score",
    "Side effects": "Side effect",
    "Subject access requests": "Request",
    "Messages sent": "Message",
    "Waiting list": "Waiting for an appointment",
}

# Title shown, then a line on what the section holds, by record_export's title.
SECTION_TEXT = {
    "Personal details": (
        "Your personal details",
        "The details we hold to identify and contact you.",
    ),
    "Medical questionnaires": (
        "Your medical questionnaires",
        "Your answers to our health questions before treatment, and who reviewed them.",
    ),
    "Toxin treatments elsewhere": (
        "Treatments you had elsewhere",
        "Botulinum toxin treatments you told us you had at other clinics.",
    ),
    "Treatment sessions": (
        "Your treatment sessions",
        "Each treatment: when, by whom, which medicine and what was checked beforehand.",
    ),
    "Injection points": (
        "Where you were injected",
        "Each injection: the muscle or area, the side, the dose in units and the volume.",
    ),
    "Vial draws": (
        "Medicine used",
        "How many units were drawn from each vial of medicine for your treatments.",
    ),
    "Safety findings": (
        "Safety checks at your treatments",
        "What our safety checks pointed out before a treatment was signed, and why the "
        "practitioner went ahead.",
    ),
    "Addenda (corrections)": (
        "Corrections to treatment records",
        "Notes added after a treatment record was signed, to correct or complete it.",
    ),
    "Follow-ups": (
        "Follow-up calls and reviews",
        "Calls and reviews we planned after your treatments, and what was found.",
    ),
    "Outcome scores": (
        "How your treatment worked",
        "Scores recorded to see how well the treatment helped you.",
    ),
    "Side effects": (
        "Side effects",
        "Side effects you reported, how we assessed them and whether we reported them to "
        "the medicines regulator (MHRA Yellow Card).",
    ),
    "Subject access requests": (
        "Your requests for a copy of your records",
        "Requests for your records, like the one this copy answers.",
    ),
    "Messages sent": (
        "Messages we sent you",
        "Appointment reminders, recall messages, aftercare advice and offers of an earlier "
        "appointment, by text or email: what each said, or why it was not sent.",
    ),
    "Waiting list": (
        "Waiting for an earlier appointment",
        "When you asked to be offered an earlier appointment, and what was offered.",
    ),
    "Access log": (
        "Who looked at your record",
        "Each time someone at the clinic opened or printed your record, and their role.",
    ),
}
# Clearer labels where the model's own reads like a column name.
LABELS = {
    "created_at": "Recorded on",
    "weight_kg": "Weight (kg)",
    "volume_ml": "Volume (mL)",
    "is_off_label": "Outside the medicine's licence (off-label)",
    "top_up_of": "Top-up of the treatment",
    "top_up_reason": "Reason for the top-up",
    "antiplatelet_stopped_days": "Days since an antiplatelet medicine was stopped",
}
# The date that names a record ("Treatment session of 02/12/2026"), first found wins.
HEADING_DATES = (
    "performed_at",
    "completed_on",
    "treated_on",
    "assessed_on",
    "due_on",
    "received_on",
    "reported_on",
    "onset_on",
    "created_at",
)


@dataclass
class Change:
    when: dt.datetime | None
    kind: str
    by: str
    fields: list[tuple[str, object]] = field(default_factory=list)  # label, new value


@dataclass
class Record:
    heading: str
    fields: list[tuple[str, object]]  # label, value (empty values left out)


@dataclass
class DocumentSection:
    title: str
    intro: str
    json_title: str  # the same section's title in the JSON copy
    records: list[Record] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)  # the access log, as a short table


@dataclass
class SubjectAccessDocument:
    patient: object
    produced_at: dt.datetime
    sections: list[DocumentSection]


def _empty(value) -> bool:
    return value is None or value == ""


class _Names:
    """Staff by full name (the copy holds usernames and user ids), and linked records
    that the history keeps only as ids by what they are called. Filled by prefetch():
    one query for the staff and one per kind of linked record."""

    def __init__(self):
        self.staff_by_username: dict[str, str] = {}
        self.staff_by_id: dict[int, str] = {}
        self.records: dict[type, dict] = {}

    def prefetch(self, *, usernames: set[str], user_ids: set[int], related: dict) -> None:
        user_model = get_user_model()
        users = user_model.objects.filter(
            Q(**{f"{user_model.USERNAME_FIELD}__in": usernames}) | Q(pk__in=user_ids)
        ).only("id", user_model.USERNAME_FIELD, "first_name", "last_name")
        for user in users:
            name = user.get_full_name() or user.get_username()
            self.staff_by_username[user.get_username()] = name
            self.staff_by_id[user.pk] = name
        for model, ids in related.items():
            self.records[model] = {
                obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)
            }

    def staff(self, value) -> str:
        if isinstance(value, int):
            return self.staff_by_id.get(value, "a member of staff")
        return self.staff_by_username.get(str(value), str(value))

    def related(self, model, pk) -> str:
        return self.records.get(model, {}).get(pk, "a record no longer held")


def _field(model, name: str):
    """The model's field of that name, or None (history_date and the like are not)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_staff(model, name: str) -> bool:
    if name == "history_user":
        return True
    model_field = _field(model, name)
    return bool(
        model_field is not None
        and model_field.is_relation
        and model_field.related_model is get_user_model()
    )


def _prefetch(copy: SubjectAccessCopy, models: dict, names: _Names) -> None:
    usernames, user_ids, related = set(), set(), {}
    for section in copy.sections:
        model = models.get(section.title)
        if section.title == "Access log":
            usernames.update(row["username"] for row in section.rows if row.get("username"))
            continue
        for row in [*section.rows, *section.history]:
            for name, value in row.items():
                if _empty(value) or name in HIDDEN:
                    continue
                if _is_staff(model, name):
                    (user_ids if isinstance(value, int) else usernames).add(value)
                    continue
                model_field = _field(model, name)
                if model_field is not None and model_field.is_relation and isinstance(value, int):
                    related.setdefault(model_field.related_model, set()).add(value)
    names.prefetch(usernames={str(u) for u in usernames}, user_ids=user_ids, related=related)


def _models_by_title() -> dict[str, object]:
    models = {}
    for spec in SECTIONS:
        try:
            models[spec.title] = apps.get_model(spec.model)
        except LookupError:
            continue
    return models


def _value(name: str, value, model, names: _Names):
    """What the reader sees for one field: a name for a member of staff or a linked
    record, else the plain value (the template formats dates and yes/no)."""
    if _empty(value):
        return value
    if _is_staff(model, name):
        return names.staff(value)
    model_field = _field(model, name)
    if model_field is not None and model_field.is_relation and isinstance(value, int):
        return names.related(model_field.related_model, value)
    return value


def _label(name: str, labels: dict[str, str]) -> str:
    return LABELS.get(name) or capfirst(labels.get(name, name.replace("_", " ")))


def _heading(noun: str | None, row: dict, number: int, total: int) -> str:
    if noun is None:
        return ""
    for name in HEADING_DATES:
        value = row.get(name)
        if isinstance(value, dt.datetime):
            return f"{noun} of {timezone.localtime(value):%d/%m/%Y}"
        if isinstance(value, dt.date):
            return f"{noun} of {value:%d/%m/%Y}"
    return f"{noun} {number} of {total}" if total > 1 else noun


def _changes(section, model, names: _Names) -> list[Change]:
    """Each version against the one before it of the same record: only what changed. A
    creation lists the fields only when the record is no longer held (shown above else)."""
    changes, previous = [], {}
    held = {row.get("id") for row in section.rows}
    for row in section.history:
        record_id = row.get("id")
        before = previous.get(record_id, {})
        kind = row.get("history_type") or "~"
        kind = HISTORY_KINDS.get(kind, kind)
        fields = [
            (_label(name, section.labels), _value(name, value, model, names))
            for name, value in row.items()
            if name in section.labels
            and name not in HIDDEN
            and not name.startswith("history_")
            and value != before.get(name)
            and not (kind == "Created" and (_empty(value) or record_id in held))
        ]
        previous[record_id] = row
        if kind == "Changed" and not fields:
            continue  # a save that changed only internal fields
        changes.append(
            Change(
                when=row.get("history_date"),
                kind=kind,
                by=names.staff(row["history_user"]) if row.get("history_user") else "",
                fields=fields,
            )
        )
    return changes


def _patient_action(action: str) -> str:
    text = ACTIONS.get(action)
    if text is None:
        return "Opened your record"
    return text.replace("a patient's record", "your record").replace("a patient", "you")


def subject_access_document(copy: SubjectAccessCopy) -> SubjectAccessDocument:
    names = _Names()
    models = _models_by_title()
    _prefetch(copy, models, names)
    sections = []
    for section in copy.sections:
        title, intro = SECTION_TEXT.get(section.title, (section.title, ""))
        shown = DocumentSection(title=title, intro=intro, json_title=section.title)
        model = models.get(section.title)
        if section.title == "Access log":
            shown.log = [
                {
                    "when": row.get("occurred_at"),
                    "who": names.staff(row.get("username")),
                    "role": row.get("role") or "",
                    "what": _patient_action(row.get("action", "")),
                }
                for row in section.rows
            ]
            sections.append(shown)
            continue
        noun = NOUNS.get(section.title, section.title)
        for number, row in enumerate(section.rows, 1):
            fields = [
                (_label(name, section.labels), _value(name, value, model, names))
                for name, value in row.items()
                if name not in HIDDEN and not _empty(value)
            ]
            shown.records.append(Record(_heading(noun, row, number, len(section.rows)), fields))
        shown.changes = _changes(section, model, names)
        sections.append(shown)
    return SubjectAccessDocument(
        patient=copy.patient, produced_at=copy.produced_at, sections=sections
    )
