"""Forms of the reports app (the report filters are FilterSets: clinic.reports.filters)."""

from django import forms

from clinic.idempotency import SubmissionTokenField


class PrepareExportForm(forms.Form):
    """The "Prepare the export" button of a large CSV export: only its one-time token (a
    double-click or a resent POST queues one export). The filters travel in the URL's
    query string, as they do for the direct download."""

    submission_token = SubmissionTokenField()
