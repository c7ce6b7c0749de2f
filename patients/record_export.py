"""The subject access copy: every record held about one patient (UK GDPR Art. 15, DOMAIN
§7.4), as JSON and as a readable, printable page, built from the same sections.

Sections are declared once (SECTIONS): a model, how its rows reach the patient, and
whether to include its change history. A model that does not exist yet (side effects
arrive with issue 7) is skipped, so the copy grows as the app does. Foreign keys show
the related row's name when it was loaded with the row (one join level, done here), else
its id: no query per row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from clinic.audit import access_events_for_patient


@dataclass(frozen=True)
class Section:
    title: str
    model: str  # "app_label.ModelName"
    to_patient: str  # lookup from the model to the patient ("patient", "session__patient")
    history: bool = True  # include the change history (django-simple-history) if any
    exclude: tuple[str, ...] = ()


SECTIONS = (
    Section("Personal details", "patients.Patient", "pk", exclude=("version",)),
    Section("Medical questionnaires", "patients.IntakeQuestionnaire", "patient"),
    Section("Toxin treatments elsewhere", "patients.PriorTreatment", "patient"),
    Section("Treatment sessions", "treatments.TreatmentSession", "patient"),
    Section("Injection points", "treatments.InjectionPoint", "session__patient"),
    Section("Vial draws", "treatments.VialDraw", "session__patient", history=False),
    Section("Safety findings", "treatments.SessionFinding", "session__patient", history=False),
    Section("Addenda (corrections)", "treatments.SessionAddendum", "session__patient"),
    Section("Follow-ups", "treatments.FollowUp", "patient"),
    Section("Outcome scores", "treatments.OutcomeAssessment", "patient"),
    Section("Side effects", "treatments.SideEffect", "patient"),
    Section("Subject access requests", "patients.SubjectAccessRequest", "patient"),
    # The diary's messages and waiting list (issue 15.5-15.6), by model label.
    Section("Messages sent", "diary.PatientMessage", "patient", history=False),
    Section("Waiting list", "diary.WaitingListEntry", "patient", history=False),
)

HIDDEN_FIELDS = {"password"}
ACCESS_LOG_FIELDS = ("occurred_at", "username", "role", "action")


@dataclass
class ExportSection:
    title: str
    rows: list[dict] = field(default_factory=list)  # field name -> plain value
    labels: dict[str, str] = field(default_factory=dict)  # field name -> verbose name
    history: list[dict] = field(default_factory=list)


@dataclass
class SubjectAccessCopy:
    patient: object
    produced_at: dt.datetime
    sections: list[ExportSection]

    def as_json(self) -> str:
        payload = {
            "produced_at": self.produced_at,
            "patient_record_number": self.patient.record_number,
            "sections": [
                {"title": s.title, "records": s.rows, "change_history": s.history}
                for s in self.sections
            ],
        }
        return json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _plain(obj, f: models.Field):
    if f.is_relation:
        if f.is_cached(obj):
            related = getattr(obj, f.name)
            return str(related) if related is not None else None
        return getattr(obj, f.attname)
    value = getattr(obj, f.attname)
    if f.choices and value not in (None, ""):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields(model, exclude=()) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and f.name not in exclude
    ]


def _rows(queryset, fields) -> list[dict]:
    return [{f.name: _plain(obj, f) for f in fields} for obj in queryset]


def _history_filter(model, to_patient: str, patient) -> models.Q:
    """The same rows' history: historical tables keep the foreign key columns (patient_id,
    session_id) but not the joins, so a path through a session becomes an id list."""
    if to_patient == "pk":
        return models.Q(id=patient.pk)
    first, _, rest = to_patient.partition("__")
    if not rest:
        return models.Q(**{f"{first}_id": patient.pk})
    parent = model._meta.get_field(first).related_model
    parent_ids = parent.objects.filter(**{rest: patient.pk}).values("pk")
    return models.Q(**{f"{first}_id__in": parent_ids})


def _section(patient, spec: Section) -> ExportSection | None:
    model = _model(spec.model)
    if model is None:
        return None
    fields = _fields(model, spec.exclude)
    relations = [f.name for f in fields if f.is_relation]
    qs = (
        model.objects.filter(**{spec.to_patient: patient.pk})
        .select_related(*relations)
        .order_by("pk")
    )
    section = ExportSection(
        title=spec.title,
        rows=_rows(qs, fields),
        labels={f.name: str(f.verbose_name) for f in fields},
    )
    history = getattr(model, "history", None)
    if spec.history and history is not None:
        historical = history.model
        hist_fields = [
            f
            for f in _fields(historical, spec.exclude)
            if f.name in {"history_date", "history_type", "history_user"}
            or f.name in section.labels
        ]
        hist_qs = historical.objects.filter(_history_filter(model, spec.to_patient, patient))
        hist_qs = hist_qs.select_related("history_user").order_by("history_date", "history_id")
        section.history = _rows(hist_qs, hist_fields)
    return section


def patient_subject_access_copy(*, patient) -> SubjectAccessCopy:
    """Every section that exists, then the access log (who viewed the record, when, in
    which role and for what; staff IP addresses are not part of the patient's data)."""
    sections = [s for spec in SECTIONS if (s := _section(patient, spec)) is not None]
    access_model = _model("clinic.AccessEvent")
    access_fields = [access_model._meta.get_field(name) for name in ACCESS_LOG_FIELDS]
    events = access_events_for_patient(patient=patient).order_by("occurred_at", "id")
    sections.append(
        ExportSection(
            title="Access log",
            rows=_rows(events, access_fields),
            labels={f.name: str(f.verbose_name) for f in access_fields},
        )
    )
    return SubjectAccessCopy(patient=patient, produced_at=timezone.now(), sections=sections)
