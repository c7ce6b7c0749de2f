"""The diary's attendance and utilisation report (issue 15, point 7): the diary's own
figures (clinic.diary.attendance) as report rows over the report's scope."""

from clinic.diary.attendance import Attendance, Line, attendance
from clinic.reports.selectors.scope import Scope


def _row(line: Line, kind: str) -> dict:
    return {
        "who": line.label,
        "kind": kind,
        "working_hours": line.working_hours,
        "booked_hours": line.booked_hours,
        "utilisation": line.utilisation,
        "appointments": line.appointments,
        "attended": line.attended,
        "did_not_attend": line.did_not_attend,
        "dna_rate": line.dna_rate,
        "cancelled": line.cancelled,
        "late_cancellations": line.late_cancellations,
        "late_rate": line.late_cancellation_rate,
        "lead_days": line.mean_lead_days,
        "recall_lead_days": line.mean_recall_lead_days,
        "after_recall": len(line.recall_lead_days),
    }


def diary_attendance(scope: Scope) -> Attendance:
    return attendance(
        start=scope.period.start, end=scope.period.end, practitioner_id=scope.practitioner_id
    )


def attendance_rows(scope: Scope) -> list[dict]:
    """Each practitioner, each room, then the clinic as a whole."""
    figures = diary_attendance(scope)
    return [
        *(_row(line, "Practitioner") for line in figures.practitioners),
        *(_row(line, "Room") for line in figures.rooms),
        # What the working hours are counted over, when not the whole period: the page
        # says it (Report.note).
        _row(figures.total, "Clinic") | {"working_note": figures.working_note},
    ]
