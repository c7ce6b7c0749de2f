"""Archiving and restoring a patient carry the version the page showed: a stale or replayed
form is refused with a message naming who changed the record, and never undoes their
change; the same form sent twice (a double-click) archives or restores once."""

import pytest
from django.urls import reverse

from clinic.inputs import STALE_PAGE_MESSAGE
from clinic.models import AccessEvent
from patients import services
from patients.choices import PatientStatus
from patients.models import Patient
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CHANGED_MEANWHILE = "This record was changed meanwhile by"
NOTHING_CHANGED = "Nothing was changed: check the record and try again."


def _archive_url(patient) -> str:
    return reverse("patients:archive", args=[patient.public_id])


def _restore_url(patient) -> str:
    return reverse("patients:restore", args=[patient.public_id])


def _saved(patient) -> Patient:
    return Patient.objects.get(pk=patient.pk)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def manager_named(manager):
    manager.first_name, manager.last_name = "Marcus", "Hale"
    manager.save(update_fields=["first_name", "last_name"])
    return manager


# The pages -------------------------------------------------------------------------------


def test_the_archive_form_and_the_restore_button_carry_the_version(reception_client, patient):
    page = reception_client.get(_archive_url(patient)).content.decode()
    assert f'name="version" value="{patient.version}"' in page
    archived = services.patient_archive(
        patient=patient, archived_by=patient.registered_by, reason="Moved", expected_version=1
    )
    page = reception_client.get(patient.get_absolute_url()).content.decode()
    assert f'name="version" value="{archived.version}"' in page
    assert _restore_url(patient) in page


def test_a_fresh_archive_then_a_fresh_restore(reception_client, patient):
    response = reception_client.post(
        _archive_url(patient), {"reason": "Moved to Leeds", "version": patient.version}
    )
    assert response.status_code == 302
    archived = _saved(patient)
    assert (archived.status, archived.archived_reason) == (PatientStatus.ARCHIVED, "Moved to Leeds")
    assert archived.version == patient.version + 1

    response = reception_client.post(_restore_url(patient), {"version": archived.version})
    assert response.status_code == 302
    restored = _saved(patient)
    assert (restored.status, restored.archived_reason) == (PatientStatus.ACTIVE, "")
    assert restored.version == archived.version + 1


def test_a_replayed_archive_form_after_a_restore_is_refused(
    reception, reception_client, manager_named, patient
):
    """The review's reproduction: reception archives, a manager restores, reception's
    browser sends the old archive form again. The patient stays active."""
    old_form = {"reason": "Moved to Leeds", "version": patient.version}
    assert reception_client.post(_archive_url(patient), old_form).status_code == 302
    archived = _saved(patient)
    manager_client = client_for(manager_named)
    assert (
        manager_client.post(_restore_url(patient), {"version": archived.version}).status_code == 302
    )
    restored = _saved(patient)
    assert restored.status == PatientStatus.ACTIVE

    replay = reception_client.post(_archive_url(patient), old_form)

    assert replay.status_code == 200  # the form again, with the refusal: no 500
    page = replay.content.decode()
    assert f"{CHANGED_MEANWHILE} Marcus Hale" in page
    assert "it is now active" in page and NOTHING_CHANGED in page
    after = _saved(patient)
    assert (after.status, after.version) == (PatientStatus.ACTIVE, restored.version)
    assert after.history.count() == restored.history.count()  # nothing written
    # What they typed is kept, at the version now: archiving again is a fresh decision.
    form = replay.context["form"]
    assert form.initial == {"reason": "Moved to Leeds", "version": restored.version}
    assert "Moved to Leeds" in page
    assert 'type="submit">Archive patient' in page

    again = reception_client.post(
        _archive_url(patient), {"reason": "Moved to Leeds", "version": restored.version}
    )
    assert again.status_code == 302
    assert _saved(patient).status == PatientStatus.ARCHIVED


def test_an_archive_form_opened_before_an_edit_is_refused(reception, reception_client, patient):
    opened = patient.version
    services.patient_update(
        patient=patient, updated_by=reception, expected_version=opened, phone="07700900999"
    )
    response = reception_client.post(
        _archive_url(patient), {"reason": "Duplicate", "version": opened}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{CHANGED_MEANWHILE} you (in another tab or window)" in page
    assert _saved(patient).status == PatientStatus.ACTIVE


def test_an_archive_refused_because_someone_archived_first_offers_no_second_archive(
    reception_client, manager_named, patient
):
    opened = patient.version
    services.patient_archive(
        patient=patient, archived_by=manager_named, reason="Deceased", expected_version=opened
    )
    response = reception_client.post(
        _archive_url(patient), {"reason": "Moved away", "version": opened}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{CHANGED_MEANWHILE} Marcus Hale" in page and "it is now archived" in page
    assert "Already archived" in page and "Deceased" in page
    assert "Moved away" in page  # what they typed, still on the page
    assert 'type="submit">Archive patient' not in page
    assert _saved(patient).archived_reason == "Deceased"


def test_an_archive_form_sent_twice_archives_once(reception_client, patient):
    form = {"reason": "Moved to Leeds", "version": patient.version}
    first = reception_client.post(_archive_url(patient), form, follow=True)
    archived = _saved(patient)
    second = reception_client.post(_archive_url(patient), form, follow=True)
    assert first.redirect_chain == [(patient.get_absolute_url(), 302)]
    assert second.redirect_chain == [(patient.get_absolute_url(), 302)]
    assert _messages(second) == [f"Archived {patient.full_name}. The record is kept."]
    after = _saved(patient)
    assert (after.version, after.archived_at) == (archived.version, archived.archived_at)
    assert after.history.count() == archived.history.count()


def test_an_archive_form_without_its_version_is_refused_with_the_reason_kept(
    reception_client, patient
):
    response = reception_client.post(_archive_url(patient), {"reason": "Moved to Leeds"})
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page and "Moved to Leeds" in page
    assert _saved(patient).status == PatientStatus.ACTIVE


def test_a_replayed_restore_after_a_new_archive_is_refused(
    reception_client, manager_named, patient
):
    first = services.patient_archive(
        patient=patient, archived_by=manager_named, reason="Moved", expected_version=1
    )
    stale_button = {"version": first.version}
    reception_client.post(_restore_url(patient), stale_button, follow=True)  # its message shown
    services.patient_archive(
        patient=patient,
        archived_by=manager_named,
        reason="Deceased",
        expected_version=_saved(patient).version,
    )
    archived_again = _saved(patient)

    replay = reception_client.post(_restore_url(patient), stale_button, follow=True)

    assert replay.redirect_chain == [(patient.get_absolute_url(), 302)]
    [message] = _messages(replay)
    assert message.startswith(f"{CHANGED_MEANWHILE} Marcus Hale at ")
    assert message.endswith(f"it is now archived. {NOTHING_CHANGED}")
    after = _saved(patient)
    assert (after.status, after.version) == (PatientStatus.ARCHIVED, archived_again.version)
    assert after.archived_reason == "Deceased"


def test_a_restore_sent_twice_restores_once(reception_client, patient):
    archived = services.patient_archive(
        patient=patient, archived_by=patient.registered_by, reason="Moved", expected_version=1
    )
    button = {"version": archived.version}
    reception_client.post(_restore_url(patient), button, follow=True)  # its message shown
    restored = _saved(patient)
    second = reception_client.post(_restore_url(patient), button, follow=True)
    assert _messages(second) == [f"Restored {patient.full_name} to the active list."]
    after = _saved(patient)
    assert (after.status, after.version) == (PatientStatus.ACTIVE, restored.version)


def test_a_restore_without_its_version_changes_nothing(reception_client, patient):
    services.patient_archive(
        patient=patient, archived_by=patient.registered_by, reason="Moved", expected_version=1
    )
    response = reception_client.post(_restore_url(patient), {}, follow=True)
    assert _messages(response) == [STALE_PAGE_MESSAGE]
    assert _saved(patient).status == PatientStatus.ARCHIVED


# Permissions and the access log, as before ------------------------------------------------


def test_who_may_archive_and_restore_is_unchanged(
    practitioner_client, manager_client, reception_client, patient
):
    form = {"reason": "Moved", "version": patient.version}
    assert practitioner_client.post(_archive_url(patient), form).status_code == 403
    assert client_for(None).post(_archive_url(patient), form).status_code == 302  # log in
    assert _saved(patient).status == PatientStatus.ACTIVE
    assert manager_client.get(_archive_url(patient)).status_code == 200
    assert reception_client.post(_archive_url(patient), form).status_code == 302
    button = {"version": _saved(patient).version}
    assert practitioner_client.post(_restore_url(patient), button).status_code == 403
    assert reception_client.get(_restore_url(patient)).status_code == 405
    assert _saved(patient).status == PatientStatus.ARCHIVED
    assert manager_client.post(_restore_url(patient), button).status_code == 302
    assert _saved(patient).status == PatientStatus.ACTIVE


def test_the_archive_page_is_logged_refused_or_not(reception_client, reception, patient):
    form = {"reason": "Moved", "version": patient.version}
    reception_client.post(_archive_url(patient), form)
    services.patient_restore(
        patient=patient, restored_by=reception, expected_version=_saved(patient).version
    )
    reception_client.post(_archive_url(patient), form)  # replayed: refused
    events = AccessEvent.objects.filter(action="patient.archive", patient=patient)
    assert events.count() == 2


def test_the_change_history_names_who_archived_and_who_restored(reception, manager_named, patient):
    archived = services.patient_archive(
        patient=patient, archived_by=reception, reason="Moved", expected_version=1
    )
    services.patient_restore(
        patient=patient, restored_by=manager_named, expected_version=archived.version
    )
    with pytest.raises(services.EditConflict):
        services.patient_archive(
            patient=patient, archived_by=reception, reason="Moved", expected_version=1
        )
    entries = list(patient.history.order_by("history_id"))
    assert [(e.status, e.history_user) for e in entries[-2:]] == [
        (PatientStatus.ARCHIVED, reception),
        (PatientStatus.ACTIVE, manager_named),
    ]
