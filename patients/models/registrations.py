"""The registrations rollup (patients.rollups writes it)."""

from django.db import models


class DailyRegistrations(models.Model):
    """Patients registered per UK day (their `created_at`): the dashboard's "registered"
    figure sums these days instead of counting the patients (issue 14.5). Written with
    the patient row (patients.rollups.record_registration, post_save), filled by the
    bulk loads (seed_demo) and rebuilt / checked by `manage.py rebuild_rollups`."""

    day = models.DateField(unique=True)
    patients = models.IntegerField()

    class Meta:
        ordering = ["day"]
        verbose_name_plural = "daily registrations"

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.patients} registered"
