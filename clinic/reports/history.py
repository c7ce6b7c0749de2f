"""Change history of sessions and vials for managers (django-simple-history): who
changed what, when, from what to what. Built like patients.selectors.patient_history:
consecutive historical rows of the same object are diffed.

Pseudonymised like the rest of the manager's view (DOMAIN §7.3): the patient is shown by
record number, and changes to free-text clinical notes say that they changed, not what
they say. Reference data keeps its history in the Django admin (SimpleHistoryAdmin):
linked from the history page.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from patients.selectors import staff_name
from treatments.models import (
    AnatomicalSite,
    Indication,
    InjectionPoint,
    Product,
    TreatmentSession,
    Vial,
)

# Bookkeeping columns that change on every save and say nothing to a reader.
SKIPPED = {"updated_at", "created_at", "version"}
# Free text that may name or describe the patient: reported as changed, not shown.
WITHHELD = {"notes", "top_up_reason"}
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
RECENT = 25


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str
    what: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field since removed from the model keeps its name
        return name.replace("_", " ")


# A changed link names what it links to, as the rest of the page does (manager review,
# 07/12/2026: "Signed by: — → #2"): staff by name, the patient by record number only.
RELATED_LABELS = {
    Patient: ("record_number",),
    Product: ("brand",),
    Indication: ("name",),
    AnatomicalSite: ("name",),
    Vial: ("lot",),
}


def _related_names(changed: list[tuple[type, list]]) -> dict:
    """{(related model, pk): label} for the links changed in `changed`, a list of
    (model, diffs): one query per kind of thing linked, whatever the number of rows."""
    User = get_user_model()
    wanted: dict = {}
    for model, diffs in changed:
        for _record, changes in diffs:
            for change in changes or ():
                try:
                    model_field = model._meta.get_field(change.field)
                except FieldDoesNotExist:  # a field since removed keeps its "#id"
                    continue
                if model_field.is_relation and model_field.related_model:
                    for value in (change.old, change.new):
                        if value not in (None, ""):
                            wanted.setdefault(model_field.related_model, set()).add(value)
    names = {}
    for related, pks in wanted.items():
        if related is User:
            for user in User.objects.filter(pk__in=pks):
                names[User, user.pk] = staff_name(user)
        elif related in RELATED_LABELS:
            (attribute,) = RELATED_LABELS[related]
            prefix = "lot " if related is Vial else ""
            for pk, label in related.objects.filter(pk__in=pks).values_list("pk", attribute):
                names[related, pk] = f"{prefix}{label}"
    return names


def _shown(model, name: str, value, names: dict | None = None) -> str:
    if value in (None, ""):
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if model_field.is_relation:
        return (names or {}).get((model_field.related_model, value), f"#{value}")
    return str(value)


def _diffs(records: list) -> list:
    """`records`: one object's historical rows, newest first -> (row, its changes from
    the row before, None for the first)."""
    return [
        (
            record,
            None
            if index + 1 == len(records)
            else [
                change
                for change in record.diff_against(records[index + 1]).changes
                if change.field not in SKIPPED
            ],
        )
        for index, record in enumerate(records)
    ]


def _entries(diffs: list, model, what, names: dict) -> list[Entry]:
    entries = []
    for record, diff in diffs:
        changes = []
        if diff is not None:
            for change in diff:
                label = _label(model, change.field)
                if change.field in WITHHELD:
                    changes.append((label, "(not shown)", "(changed)"))
                else:
                    changes.append(
                        (
                            label,
                            _shown(model, change.field, change.old, names),
                            _shown(model, change.field, change.new, names),
                        )
                    )
            if not changes:
                continue  # a save that changed nothing a reader cares about
        entries.append(
            Entry(
                when=record.history_date,
                who=staff_name(record.history_user),
                kind=KINDS.get(record.history_type, record.history_type),
                what=what(record),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def entries_for(records: list, model, what) -> list[Entry]:
    """`records`: one object's historical rows, newest first."""
    diffs = _diffs(records)
    return _entries(diffs, model, what, _related_names([(model, diffs)]))


def session_get(*, public_id) -> TreatmentSession:
    return get_object_or_404(
        TreatmentSession.objects.select_related("patient", "indication", "product"),
        public_id=public_id,
    )


def session_history(*, session: TreatmentSession) -> list[Entry]:
    """The session's own rows and its injection points', newest first (two queries, and
    one per kind of thing a changed link names)."""
    rows = list(
        session.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    session_diffs = _diffs(rows)
    points = InjectionPoint.history.filter(session_id=session.pk).select_related(
        "history_user", "site"
    )
    by_point: dict[int, list] = {}
    for row in points.order_by("-history_date", "-history_id"):
        by_point.setdefault(row.id, []).append(row)
    point_diffs = [_diffs(point_rows) for point_rows in by_point.values()]
    names = _related_names(
        [(TreatmentSession, session_diffs), *((InjectionPoint, d) for d in point_diffs)]
    )
    entries = _entries(session_diffs, TreatmentSession, lambda r: "Session", names)
    for diffs in point_diffs:
        entries += _entries(
            diffs,
            InjectionPoint,
            lambda r: f"Injection point: {r.site.name if r.site else '?'} ({r.side})",
            names,
        )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def vial_get(*, pk: int) -> Vial:
    return get_object_or_404(Vial.objects.select_related("product"), pk=pk)


def vial_history(*, vial: Vial) -> list[Entry]:
    rows = list(
        vial.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    return entries_for(rows, Vial, lambda r: "Vial")


REFERENCE_MODELS = [
    ("product", "Products"),
    ("indication", "Indications"),
    ("doseguideline", "Dose guidelines"),
    ("doselimit", "Dose limits"),
    ("sitetemplate", "Site templates"),
    ("safetyparameter", "Safety parameters"),
    ("outcomeinstrument", "Outcome measures"),
    ("anatomicalsite", "Anatomical sites"),
    ("sideeffectterm", "Reaction terms"),
    ("source", "Clinical sources"),
]


def recent_changes() -> dict:
    """The latest changes to sessions and vials (two queries), and where reference data
    keeps its history (the admin's History button on each row)."""
    sessions = TreatmentSession.history.select_related("history_user", "patient").order_by(
        "-history_date", "-history_id"
    )[:RECENT]
    vials = Vial.history.select_related("history_user", "product").order_by(
        "-history_date", "-history_id"
    )[:RECENT]
    return {
        "sessions": [
            {
                "when": row.history_date,
                "who": staff_name(row.history_user),
                "kind": KINDS.get(row.history_type, row.history_type),
                "record_number": row.patient.record_number if row.patient else "?",
                "status": row.get_status_display(),
                "url": reverse("reports:session_history", args=[row.public_id]),
            }
            for row in sessions
        ],
        "vials": [
            {
                "when": row.history_date,
                "who": staff_name(row.history_user),
                "kind": KINDS.get(row.history_type, row.history_type),
                "label": f"{row.product.brand if row.product else '?'} lot {row.lot}",
                "url": reverse("reports:vial_history", args=[row.id]),
            }
            for row in vials
        ],
        "reference": [
            (label, reverse(f"admin:treatments_{model}_changelist"))
            for model, label in REFERENCE_MODELS
        ],
    }
