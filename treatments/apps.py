from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments and reference data"

    def ready(self):
        from django.db.models.signals import post_save

        from patients.models import Patient
        from treatments.services import panel_rollups

        # Archiving / restoring a patient moves their courses out of / into the
        # dashboard's re-treatment counts (patients may not import treatments).
        post_save.connect(
            panel_rollups.record_patient_status,
            sender=Patient,
            dispatch_uid="treatments.latest_course_patient_status",
        )
