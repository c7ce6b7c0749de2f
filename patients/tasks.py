"""Background tasks of the patients app (issue 12.2; the pattern: clinic/background.py).

The JSON subject-access copy: the request page records the copy (SubjectAccessCopy, after
the identity check) and queues `prepare_subject_access_json` with the copy's id; the
worker writes the JSON into private storage under the copy's id, and the page offers it
for download once the file is there (patients.views.subject_access_json_download).
"""

from django.core.files.base import ContentFile

from clinic.background import background_task, private_storage
from patients.record_export import patient_subject_access_copy

FOLDER = "subject-access"


def json_copy_path(copy, patient) -> str:
    """Under the patient's public id, named by the copy's id and the instant it was
    recorded: a copy id reused after a database restore can never reach an older file."""
    return f"{FOLDER}/{patient.public_id}/{copy.pk}-{copy.produced_at:%Y%m%dT%H%M%S%f}.json"


@background_task
def prepare_subject_access_json(copy_id: int) -> str:
    """Write the JSON copy recorded as `copy_id`; once only (a retry finds it done)."""
    from patients.models import SubjectAccessCopy

    copy = SubjectAccessCopy.objects.select_related("request__patient").get(pk=copy_id)
    storage = private_storage()
    patient = copy.request.patient
    name = json_copy_path(copy, patient)
    if not storage.exists(name):
        content = patient_subject_access_copy(patient=patient).as_json()
        storage.save(name, ContentFile(content.encode("utf-8")))
    return name
