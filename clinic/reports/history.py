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

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from patients.selectors import staff_name
from treatments.models import InjectionPoint, TreatmentSession, Vial

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


def _shown(model, name: str, value) -> str:
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
        return f"#{value}"
    return str(value)


def entries_for(records: list, model, what) -> list[Entry]:
    """`records`: one object's historical rows, newest first."""
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            for change in record.diff_against(older).changes:
                if change.field in SKIPPED:
                    continue
                label = _label(model, change.field)
                if change.field in WITHHELD:
                    changes.append((label, "(not shown)", "(changed)"))
                else:
                    changes.append(
                        (
                            label,
                            _shown(model, change.field, change.old),
                            _shown(model, change.field, change.new),
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


def session_get(*, public_id) -> TreatmentSession:
    return get_object_or_404(
        TreatmentSession.objects.select_related("patient", "indication", "product"),
        public_id=public_id,
    )


def session_history(*, session: TreatmentSession) -> list[Entry]:
    """The session's own rows and its injection points', newest first (two queries)."""
    rows = list(
        session.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    entries = entries_for(rows, TreatmentSession, lambda r: "Session")
    points = InjectionPoint.history.filter(session_id=session.pk).select_related(
        "history_user", "site"
    )
    by_point: dict[int, list] = {}
    for row in points.order_by("-history_date", "-history_id"):
        by_point.setdefault(row.id, []).append(row)
    for rows in by_point.values():
        entries += entries_for(
            rows,
            InjectionPoint,
            lambda r: f"Injection point: {r.site.name if r.site else '?'} ({r.side})",
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
