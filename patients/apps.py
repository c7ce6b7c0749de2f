from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from patients import rollups
        from patients.models import Patient

        # The dashboard's registrations rollup, in the transaction of the patient row.
        post_save.connect(
            rollups.record_registration, sender=Patient, dispatch_uid="patients.registrations"
        )
        post_delete.connect(
            rollups.record_removal, sender=Patient, dispatch_uid="patients.registrations_removal"
        )
