"""Every page that shows an identifiable patient writes exactly one access event per
request (issue 10, point 3; DOMAIN rule 44), the admin included.

The walk is driven by what a page shows, not by a list of routes: every URL of the
URLconf is requested by every role allowed it (GET, and POST with an empty form, which
re-shows a form page with its errors), plus the searches that disclose patients; any
response that carries the patient's name or record number must have written one access
event, naming the patient when the URL names them or one of their records. A new route
that shows a patient without auditing fails here, whoever wrote it.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from clinic.models import AccessEvent
from clinic.roles import Role, role_allows
from tests.clinic.test_permission_matrix import ROUTES, _kwargs, _objects
from tests.conftest import client_for
from tests.factories import PatientFactory

# Which pages audit (or set the headers) is the same code on either engine: the first pass
# only (CONTRIBUTING.md, 7).
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]


@pytest.fixture
def objects(patient, questionnaire, practitioner, manager):
    """The permission matrix's objects: one record of each kind (made per test here)."""
    return _objects(patient, questionnaire, practitioner, manager)


FAMILY_NAME = "Quillfeather"
RECORD_NUMBER = "K990001"

# Requests that disclose patients only with a query (searches, look-ups).
QUERIES = {
    "patients:list": [f"q={FAMILY_NAME}", "q=K9900"],
    "treatments:lot_lookup": ["lot={lot}"],
}


@pytest.fixture
def patient(db, reception):
    return PatientFactory(
        family_name=FAMILY_NAME, record_number=RECORD_NUMBER, registered_by=reception
    )


def _shows_patient(response) -> bool:
    if response.status_code != 200 or response.streaming:
        return response.status_code == 200 and response.streaming
    body = response.content.decode(errors="replace")
    return FAMILY_NAME in body or RECORD_NUMBER in body


def _problem(label: str, response, events: list, patient, *, names_patient: bool) -> str | None:
    """What is wrong with the access log after one request, or None."""
    if not _shows_patient(response):
        return None
    if len(events) != 1:
        return f"{label}: shows a patient and wrote {len(events)} access events"
    if names_patient and events[0].patient_id != patient.pk:
        return f"{label}: logged patient {events[0].patient_id}, not the patient shown"
    return None


def _request(client, method, url):
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = getattr(client, method)(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response, list(AccessEvent.objects.filter(id__gt=before))


def _names_patient(route) -> bool:
    # Every public_id in these URLs is the patient's, or one of their sessions or side
    # effects (ROUTE_OBJECTS): the event must then name the patient.
    return "public_id" in route.kwargs_names


def test_every_page_that_shows_a_patient_is_audited(
    patient, reception, practitioner, manager, objects
):
    users = {Role.RECEPTION: reception, Role.PRACTITIONER: practitioner, Role.MANAGER: manager}
    problems, seen = [], 0
    for route in ROUTES:
        if route.access in ("public",):
            continue
        url = reverse(route.name, kwargs=_kwargs(route, objects))
        urls = [url] + [
            f"{url}?{query.format(lot=objects['vial'].lot)}"
            for query in QUERIES.get(route.name, [])
        ]
        for role, user in users.items():
            if route.access != "authenticated" and not role_allows(role, route.access):
                continue
            client = client_for(user)
            for target in urls:
                for method in ("get", "post"):
                    response, events = _request(client, method, target)
                    seen += _shows_patient(response)
                    problem = _problem(
                        f"{method.upper()} {target} as {role}",
                        response,
                        events,
                        patient,
                        names_patient=_names_patient(route) and "?" not in target,
                    )
                    if problem:
                        problems.append(problem)
    assert seen >= 30, "the walk reached the pages that show the patient"
    assert not problems, "\n".join(problems)


def test_the_check_fails_a_page_that_shows_a_patient_without_auditing(patient):
    class Shown:
        status_code = 200
        streaming = False
        content = f"<h1>{FAMILY_NAME}</h1>".encode()

    assert _problem("x", Shown(), [], patient, names_patient=True)
    two = [AccessEvent(patient=patient), AccessEvent(patient=patient)]
    assert _problem("x", Shown(), two, patient, names_patient=True)
    assert _problem("x", Shown(), [AccessEvent(patient=None)], patient, names_patient=True)
    assert not _problem("x", Shown(), [AccessEvent(patient=patient)], patient, names_patient=True)


# The admin: superusers only for patient data, and audited like any page ------------------


def _admin_urls(objects):
    """Every changelist, search, change and history page of every registered model."""
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse(f"{base}_changelist"), reverse(f"{base}_changelist") + "?q=Quill"]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{base}_change", args=[first.pk]))
            urls.append(reverse(f"{base}_history", args=[first.pk]))
    return urls


def test_admin_pages_that_show_a_patient_are_audited(patient, superuser, objects, client):
    client = client_for(superuser)
    client.get(reverse("patients:detail", args=[patient.public_id]))  # an access event exists
    problems, seen = [], 0
    for url in _admin_urls(objects):
        response, events = _request(client, "get", url)
        seen += _shows_patient(response)
        problem = _problem(
            f"GET {url} as superuser", response, events, patient, names_patient=False
        )
        if problem:
            problems.append(problem)
    assert seen >= 6, "the walk reached the admin pages that show the patient"
    assert not problems, "\n".join(problems)


def test_admin_shows_managers_no_patient_data(patient, manager, superuser, objects):
    client_for(superuser).get(reverse("patients:detail", args=[patient.public_id]))
    client = client_for(manager)
    for url in _admin_urls(objects):
        response = client.get(url)
        if response.status_code == 200:
            body = response.content.decode()
            assert FAMILY_NAME not in body, url
            assert "nhs_number" not in body, url
    for path in (
        "/admin/patients/patient/",
        f"/admin/patients/patient/{patient.pk}/change/",
        f"/admin/patients/intakequestionnaire/{objects['questionnaire'].pk}/change/",
        "/admin/treatments/treatmentsession/",
        f"/admin/treatments/treatmentsession/{objects['session'].pk}/change/",
    ):
        assert client.get(path).status_code == 403, path
