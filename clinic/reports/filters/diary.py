"""The diary's attendance report filters: the period and the practitioner."""

from clinic.reports.filters.base import ReportFilterSet


class AttendanceFilterSet(ReportFilterSet):
    # Appointments are not of one indication or product: those filters do not apply.
    indication = None
    product = None
