"""Governance record of report exports, and the permissions of the dashboard and reports.

The access log (clinic.audit) already records that a user downloaded a report; a
ReportExport also keeps which report, with which filters, and how many rows left the
building, which is what an auditor asks after an export (DOMAIN §7.2, rule 44).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportExport(models.Model):
    """One CSV download: who, which report, the filters as typed, rows sent, when.

    Written by clinic.reports.services when the download starts; the row count and the
    finish time are filled in once the last row has been streamed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    report = models.SlugField(max_length=60)
    filters = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    # Issue 12.2: an export above settings.REPORT_EXPORT_ASYNC_ROWS is prepared by the
    # worker (clinic.reports.exports) into private storage; its owner downloads it from
    # the Exports page. Streamed exports leave these empty.
    prepared = models.BooleanField(default=False)
    file_name = models.CharField(max_length=200, blank=True, default="")
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [
            ("view_dashboard", "Can view the clinic dashboard"),
            ("view_reports", "Can view reports (practitioners: their own figures only)"),
            (
                "view_clinic_reports",
                "Can view clinic-wide stock reports (wastage by lot, lot exposure)",
            ),
            ("export_reports", "Can download reports as CSV"),
            ("view_change_history", "Can see the change history of sessions and vials"),
        ]
        indexes = [
            models.Index(fields=["user", "started_at"], name="reportexport_user_idx"),
            models.Index(
                fields=["user", "-started_at"],
                name="reportexport_prepared_idx",
                condition=models.Q(prepared=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} by {self.user_id} at {self.started_at:%d/%m/%Y %H:%M}"

    @property
    def is_ready(self) -> bool:
        return bool(self.prepared and self.file_name and self.finished_at)

    @property
    def state(self) -> str:
        if not self.prepared:
            return "streamed"
        if self.failed_at:
            return "failed"
        return "ready" if self.is_ready else "preparing"
