"""Summaries of signed sessions for the dashboard and the reports (issue 14, point 5).

Two derived tables, written by treatments.services.rollups in the signing transaction
(`record_signed_session`, called by session_sign) and rebuilt from the raw rows by
`manage.py rebuild_rollups` (which also checks them, `--check`):

- SessionTotals: one row per signed session with what the reports add up (units, volume,
  sites, needle points, vials drawn from, the compliance flags) and the UK day it was
  performed on, so a period is a range of days and no injection point is read again;
- DailySessionRollup: per day, practitioner, indication and product, the sums of those
  rows: a 12-month figure reads a few thousand rows, not millions of sessions.

Distinct patients cannot be added up from daily rows (a patient treated in March and in
April is one patient of the quarter): each SessionTotals row keeps the day of the
patient's previous signed session (clinic-wide and with its practitioner), so a patient
is counted once in [a, b], on the session whose previous one is before a; and
PatientReturnRollup counts those per day by the previous session's month. The patient's
first signed day is kept too, for "new to treatment" under a filter the rollup lacks
(indication, product: those counts read SessionTotals through its indexes).

A signed session never changes (addenda leave its figures alone), so a row is written
once; only its side-effect counts move, when a reaction is reported against it or moved
to another session (`record_side_effects`, called by the side-effect services).

The deferred panels' summaries (LatestCourse and its per-day counts DailyCourseRollup,
DailyWasteRollup, OutcomeScoreTotals, OutcomeRollup) are written by
treatments.services.panel_rollups; the patients registered per day by patients.rollups.

The dimension columns copy the session's own foreign keys, which hold the constraints;
here they are plain columns, without a constraint or an index of their own.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from treatments.models.sessions import TreatmentSession

# Chart compliance: a session signed later than this after it was performed is flagged
# "signed late" (issue 5: "unsigned sessions older than 72 hours"). A records-keeping
# expectation set by the clinic, not a clinical threshold from DOMAIN.md. The reports
# read it from here (clinic.reports.selectors.compliance).
CHART_COMPLETION_HOURS = 72


def _dimension(to, **kwargs):
    """A copy of one of the session's foreign keys: no constraint, no index of its own."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kwargs,
    )


class SessionTotals(models.Model):
    """What one signed session adds to the figures (written once, at signing)."""

    session = models.OneToOneField(
        TreatmentSession, on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    day = models.DateField(help_text="The UK day the session was performed on")
    patient = _dimension("patients.Patient")
    practitioner = _dimension(settings.AUTH_USER_MODEL)
    indication = _dimension("treatments.Indication")
    product = _dimension("treatments.Product")
    units = models.DecimalField(max_digits=10, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=10, decimal_places=3)
    sites = models.PositiveIntegerField(help_text="Injection point rows")
    needle_points = models.PositiveIntegerField()
    vials = models.PositiveSmallIntegerField(help_text="Vials drawn from")
    signed_late = models.BooleanField()
    consent_taken = models.BooleanField()
    has_lot = models.BooleanField()
    is_off_label = models.BooleanField()
    side_effects = models.PositiveIntegerField(help_text="Side effects reported against it")
    serious_side_effects = models.PositiveIntegerField()
    first_day = models.DateField(help_text="The patient's first signed session's day")
    # The day of the patient's signed session just before this one, in the order (day,
    # session id): clinic-wide, with this session's practitioner, and with this session's
    # practitioner and product. NULL for the first.
    # "Distinct patients active in [a, b]" = rows in [a, b] whose previous day is before a
    # (PatientReturnRollup counts them per day; the practitioner-activity report counts
    # product_prev_day's per practitioner and product).
    prev_day = models.DateField(null=True, blank=True)
    practitioner_prev_day = models.DateField(null=True, blank=True)
    product_prev_day = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["day", "session"]
        indexes = [
            # Every distinct-patient count reads only this index (an index-only scan).
            models.Index(
                fields=["day", "patient", "practitioner", "indication", "product", "first_day"],
                name="sessiontotals_day_idx",
            ),
            # Per practitioner (their own dashboard; patients per practitioner).
            models.Index(
                fields=["practitioner", "day", "patient", "first_day"],
                name="sessiontotals_practitioner_idx",
            ),
            models.Index(fields=["patient", "day"], name="sessiontotals_patient_idx"),
            # The exact part of a distinct-patient count the monthly buckets leave (a
            # period starting mid-month): rows whose previous day falls in that month.
            models.Index(fields=["prev_day", "day"], name="sessiontotals_prev_idx"),
            models.Index(
                fields=["practitioner_prev_day", "day", "practitioner"],
                name="sessiontotals_pract_prev_idx",
            ),
            # Practitioner activity's distinct patients per practitioner and product: one
            # index-only scan of the period's days.
            models.Index(
                fields=["day", "product_prev_day", "practitioner", "product"],
                name="sessiontotals_activity_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Totals of session {self.session_id} ({self.day:%d/%m/%Y})"


class DailySessionRollup(models.Model):
    """Signed sessions of one day by one practitioner for one indication with one product,
    summed (units stay within the product: DOMAIN §1.2)."""

    day = models.DateField()
    practitioner = _dimension(settings.AUTH_USER_MODEL)
    indication = _dimension("treatments.Indication")
    product = _dimension("treatments.Product")
    sessions = models.PositiveIntegerField()
    units = models.DecimalField(max_digits=14, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=14, decimal_places=3)
    sites = models.PositiveIntegerField()
    needle_points = models.PositiveIntegerField()
    vials = models.PositiveIntegerField()
    signed_late = models.PositiveIntegerField()
    without_consent = models.PositiveIntegerField()
    without_lot = models.PositiveIntegerField()
    off_label = models.PositiveIntegerField()
    side_effects = models.PositiveIntegerField()
    serious_side_effects = models.PositiveIntegerField()

    class Meta:
        ordering = ["day", "practitioner", "indication", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "practitioner", "indication", "product"],
                name="dailyrollup_one_row_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.sessions} sessions"


# PatientReturnRollup.prev_month for a patient's first signed session (clinic-wide, or
# with that practitioner), and for a previous session more than RETURN_HORIZON_DAYS
# before: both before any period the rollup answers, so "before the period" holds.
FIRST_VISIT = date(1, 1, 1)
LONG_AGO = date(1, 2, 1)
# Periods whose start's month begins at most this many days before their end are counted
# from the rollup; longer ones (over 13 months) count the per-session rows.
RETURN_HORIZON_DAYS = 400


class PatientReturnRollup(models.Model):
    """Signed sessions per day and scope (0: the clinic; else a practitioner), by the month
    of the patient's previous signed session in that scope (SessionTotals.prev_day or
    practitioner_prev_day; FIRST_VISIT / LONG_AGO, above).

    Distinct patients active in [a, b] = sessions in [a, b] whose previous day is before
    a: the rows here with prev_month before a's month, plus the per-session rows whose
    previous day is in a's month before a (an index range of at most one month). A
    12-month figure reads about 365 x 15 rows per scope. New patients (clinic) = the
    FIRST_VISIT rows."""

    day = models.DateField()
    scope = models.PositiveIntegerField(help_text="0: the whole clinic; else a practitioner's id")
    prev_month = models.DateField()
    sessions = models.PositiveIntegerField()

    class Meta:
        ordering = ["scope", "day", "prev_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "day", "prev_month"], name="returnrollup_one_row_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} scope {self.scope}: {self.sessions}"


# The dashboard's deferred panels (issue 14.5): re-treatment due, responder rates and
# vial wastage, from summaries written with the rows they summarise
# (treatments.services.panel_rollups) and rebuilt / checked by `rebuild_rollups`.


class LatestCourse(models.Model):
    """Each patient's latest signed session of each indication (in the order
    (performed_at, session id)): the re-treatment panel counts these rows whose next
    eligible day (day + the minimum interval of their product and indication, read from
    reference data when counting) is near today. `patient_active` mirrors the patient's
    status (archiving and restoring a patient update it)."""

    patient = _dimension("patients.Patient")
    indication = _dimension("treatments.Indication")
    session = _dimension(TreatmentSession)
    performed_at = models.DateTimeField()
    day = models.DateField(help_text="The UK day of the session")
    practitioner = _dimension(settings.AUTH_USER_MODEL)
    product = _dimension("treatments.Product")
    patient_active = models.BooleanField()
    # The course as it was before its latest session was signed (day, product,
    # practitioner, patient_active; NULL for a first course or after a rebuild): the
    # signing's upsert keeps and returns them, so it moves DailyCourseRollup's days
    # without a read of its own (treatments.services.panel_rollups.record_course).
    was_day = models.DateField(null=True, blank=True)
    was_product = _dimension("treatments.Product", null=True, blank=True)
    was_practitioner = _dimension(settings.AUTH_USER_MODEL, null=True, blank=True)
    was_active = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "indication"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "indication"], name="latestcourse_one_per_course"
            ),
        ]
        indexes = [
            # The panel's count: an index-only range over the days near the window.
            models.Index(
                fields=["day", "indication", "product", "practitioner"],
                condition=models.Q(patient_active=True),
                name="latestcourse_active_day_idx",
            ),
            # The recall report's first page: active courses in performed_at order, walked
            # from the start of the eligibility envelope until the page is full.
            models.Index(
                fields=["performed_at"],
                condition=models.Q(patient_active=True),
                name="latestcourse_active_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Latest course of patient {self.patient_id}: session {self.session_id}"


class DailyCourseRollup(models.Model):
    """Active patients' latest courses (LatestCourse rows with patient_active) per UK day
    of the session, indication, product and practitioner: the re-treatment panel sums
    these over the days near its windows instead of counting the courses one by one
    (bounded by days x scopes, not patients). Moved with LatestCourse: signing (the
    course's old day out, the new one in), archiving and restoring a patient. A bucket
    emptied by a move keeps its row with 0."""

    day = models.DateField(help_text="The UK day of the course's latest session")
    indication = _dimension("treatments.Indication")
    product = _dimension("treatments.Product")
    practitioner = _dimension(settings.AUTH_USER_MODEL)
    courses = models.IntegerField()

    class Meta:
        ordering = ["day", "indication", "product", "practitioner"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "indication", "product", "practitioner"],
                name="courserollup_one_row_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.courses} latest courses"


class DailyWasteRollup(models.Model):
    """Vials discarded on one UK day, per product and lot: vials, the units they held, the
    units drawn from them and wasted as each was closed (Vial.drawn_at_discard,
    wasted_units) and the earliest expiry among them (vial_discard adds to it; a discard is
    never undone)."""

    day = models.DateField()
    product = _dimension("treatments.Product")
    lot = models.CharField(max_length=40)
    vials = models.PositiveIntegerField()
    presentation = models.PositiveIntegerField(help_text="Units the vials held")
    wasted = models.DecimalField(max_digits=14, decimal_places=2)
    # A default in the database: the previous release's INSERT names no such column.
    drawn = models.DecimalField(max_digits=14, decimal_places=2, db_default=Decimal(0))
    expiry = models.DateField(null=True, help_text="The earliest expiry of the day's vials")

    class Meta:
        ordering = ["day", "product", "lot"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "product", "lot"], name="wasterollup_one_row_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.vials} vials of lot {self.lot}"


# OutcomeScoreTotals.next_day's month (OutcomeRollup.next_month) for the series' latest
# score, and for a next score more than RETURN_HORIZON_DAYS later: after any period end.
NO_NEXT_SCORE = date(9999, 12, 1)
NEXT_LONG_AFTER = date(9998, 12, 1)


class OutcomeScoreTotals(models.Model):
    """One follow-up score (not a baseline; instruments scored per muscle left out) with
    what the responder rates need: its series' baseline (the latest score marked baseline
    on or before it, else the series' first score), the improvement, and the day of the
    series' next follow-up score (NULL: the latest). A score is the series' latest as of
    a day b when it is on or before b and next_day is NULL or after b. Written for the
    whole series when a score is recorded (a late entry may change the others' baseline
    or next day)."""

    assessment = models.OneToOneField(
        "treatments.OutcomeAssessment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="totals",
    )
    patient = _dimension("patients.Patient")
    indication = _dimension("treatments.Indication")
    instrument = _dimension("treatments.OutcomeInstrument")
    day = models.DateField(help_text="assessed_on")
    next_day = models.DateField(null=True, blank=True)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    baseline = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    improvement = models.DecimalField(
        max_digits=14, decimal_places=6, null=True, blank=True,
        help_text="(baseline - value) x 100 / baseline; NULL without a non-zero baseline",
    )  # fmt: skip
    # 2 good, 1 partial, 0 neither, by the responder thresholds when it was written;
    # NULL without a non-zero baseline.
    band = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "instrument", "day", "assessment"]
        indexes = [
            models.Index(
                fields=["patient", "indication", "instrument"], name="outcometotals_series_idx"
            ),
            # The exact part of a period's count: scores whose next one is in b's month.
            models.Index(fields=["next_day", "day"], name="outcometotals_next_idx"),
        ]

    def __str__(self) -> str:
        return f"Totals of score {self.assessment_id}"


class OutcomeRollup(models.Model):
    """Follow-up scores with a non-zero baseline per day, indication and instrument, by
    the month of the series' next follow-up score (NO_NEXT_SCORE, NEXT_LONG_AFTER): the
    scores latest as of b in [a, b] are the rows with next_month after b's month, plus
    the per-score rows whose next_day is in b's month after b. Sums for the means and
    the counts of good and partial responders under the thresholds in good_percent /
    partial_percent; `mixed` when rows written under other thresholds were added (the
    reader then counts from the raw rows until `rebuild_rollups`)."""

    day = models.DateField()
    indication = _dimension("treatments.Indication")
    instrument = _dimension("treatments.OutcomeInstrument")
    next_month = models.DateField()
    series = models.PositiveIntegerField()
    baseline_sum = models.DecimalField(max_digits=16, decimal_places=2)
    value_sum = models.DecimalField(max_digits=16, decimal_places=2)
    improvement_sum = models.DecimalField(max_digits=20, decimal_places=6)
    good = models.PositiveIntegerField()
    partial = models.PositiveIntegerField()
    good_percent = models.DecimalField(max_digits=8, decimal_places=2)
    partial_percent = models.DecimalField(max_digits=8, decimal_places=2)
    mixed = models.BooleanField(default=False)

    class Meta:
        ordering = ["day", "indication", "instrument", "next_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "indication", "instrument", "next_month"],
                name="outcomerollup_one_row_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.series} scores"
