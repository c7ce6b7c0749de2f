"""Walks the URLconf: every URL must declare its access (clinic.permissions), and every
role gets exactly what clinic/roles.py grants it, for GET and POST, with a real patient
identifier and with an unknown one."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clinic.permissions import AUTHENTICATED, PUBLIC
from clinic.roles import Role, role_allows
from tests import conftest
from tests.conftest import client_for
from tests.factories import (
    FollowUpFactory,
    PatientFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
)
from tests.shared_rows import copied, shared_rows
from treatments.models import SiteTemplate

# Namespaces with their own access rules, tested in test_admin_access below.
SEPARATELY_TESTED_NAMESPACES = {"admin"}


@dataclass
class Route:
    name: str
    kwargs_names: list[str]
    access: str | None
    view: object = None  # the resolved callback (its markers: access, generic_plans)


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SEPARATELY_TESTED_NAMESPACES:
                continue
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            access = getattr(callback, "access", None)
            if access is None and hasattr(callback, "view_class"):
                access = getattr(callback.view_class, "access", None)
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(
                name=name,
                kwargs_names=list(entry.pattern.converters),
                access=access,
                view=callback,
            )


ROUTES = list(_walk(get_resolver().url_patterns))


def test_every_url_declares_its_access():
    unclassified = [route.name for route in ROUTES if route.access is None]
    assert not unclassified, f"URLs without an access declaration: {unclassified}"
    assert len(ROUTES) >= 12  # the walker found the app's URLs


def test_url_walker_finds_unclassified_views(monkeypatch):
    """The check above can fail: a view without a declaration is reported."""

    def undeclared(request):
        return None

    fake = URLPattern(pattern=get_resolver().url_patterns[0].pattern, callback=undeclared)
    assert [r.access for r in _walk([fake])] == [None]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The personas and one object of each kind, made once for the module's ~1,300 tests
    (each test's own writes are rolled back after it: tests/shared_rows.py)."""
    with shared_rows(django_db_blocker):
        users = {name: UserFactory(**conftest.PERSONAS[name]) for name in PERSONA_FIXTURES}
        patient = PatientFactory(registered_by=users["reception"])
        questionnaire = QuestionnaireFactory(patient=patient, entered_by=users["reception"])
        yield {
            **users,
            "objects": _objects(patient, questionnaire, users["practitioner"], users["manager"]),
            # Each persona signed in once for the module: the matrix's ~1,000 requests
            # would otherwise each start with a sign-in (~12 ms: the session written twice,
            # the access snapshot, django-axes' log), as long as the request itself. A test
            # that signs out or rotates the session is rolled back like any other write.
            "cookies": {name: _signed_in_cookies(users[name]) for name in PERSONA_FIXTURES},
        }


def _signed_in_cookies(user) -> dict[str, str]:
    client = client_for(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


@pytest.fixture
def signed_in(world, db):
    """`signed_in(user)`: a client with that persona's module-long session (None:
    anonymous)."""
    by_pk = {world[name].pk: world["cookies"][name] for name in PERSONA_FIXTURES}

    def client_of(user) -> Client:
        client = Client()
        for name, value in (by_pk[user.pk] if user is not None else {}).items():
            client.cookies[name] = value
        return client

    return client_of


PERSONA_FIXTURES = ("reception", "practitioner", "manager", "deactivated")


@pytest.fixture
def shared(world, db):
    return copied(world)


@pytest.fixture
def reception(shared):
    return shared["reception"]


@pytest.fixture
def practitioner(shared):
    return shared["practitioner"]


@pytest.fixture
def manager(shared):
    return shared["manager"]


@pytest.fixture
def deactivated(shared):
    return shared["deactivated"]


@pytest.fixture
def objects(shared):
    return shared["objects"]


def _objects(patient, questionnaire, practitioner, manager):
    """One of each object a URL can name, keyed by what the URL's kwargs refer to."""
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    sar = _sar_for(patient, practitioner)
    return {
        "patient": patient,
        "questionnaire": questionnaire,
        "session": session,
        "vial": session.vial,
        "task": FollowUpFactory(patient=patient),
        "side_effect": SideEffectFactory(session__patient=patient),
        "sar": sar,
        "sar_copy": sar.copies.create(produced_by=manager, kind="json"),  # issue 12.2
        "staff": practitioner,  # issue 10: a staff account on the staff page
        "export": _export_for(manager),  # issue 12.2: a prepared export (being prepared)
        "appointment": _appointment_for(patient, practitioner),  # issue 15: the diary
        "diary_practitioner": practitioner,
        "feed": _feed_for(practitioner),
        "approval": _approval_for(manager),
        "waiting_entry": _waiting_entry_for(patient, practitioner),
    }


def _waiting_entry_for(patient, practitioner):
    from clinic.diary.models import AppointmentType
    from clinic.diary.waiting_list.models import WaitingListEntry

    return WaitingListEntry.objects.create(
        patient=patient,
        appointment_type=AppointmentType.objects.get(slug="review"),
        from_date=timezone.localdate(),
        created_by=practitioner,
    )


def _approval_for(manager):
    """A manager's grant of the Practitioner role, waiting for a practitioner."""
    from clinic.staff.models import StaffApproval

    return StaffApproval.objects.create(
        subject=UserFactory(username="to-confirm"),
        kind="role",
        change={"role": "Practitioner"},
        reads="Practitioner",
        asked_by=manager,
    )


def _feed_for(practitioner):
    from clinic.diary.feeds import feed_issue

    return feed_issue(practitioner=practitioner)


def _appointment_for(patient, practitioner):
    from clinic.diary.models import Appointment, AppointmentType, WorkingPattern

    for weekday in range(7):
        WorkingPattern.objects.create(
            practitioner=practitioner, weekday=weekday, starts="09:00", ends="17:00"
        )
    starts = timezone.now() + timedelta(days=1)
    return Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=AppointmentType.objects.get(slug="review"),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
        booked_by=practitioner,
    )


def _export_for(user):
    from clinic.reports.models import ReportExport

    return ReportExport.objects.create(user=user, report="sessions", prepared=True)


def _sar_for(patient, user):
    # Issue 6: a subject access request, named by pk under its patient's URL.
    from datetime import date

    from patients.models import SubjectAccessRequest

    return SubjectAccessRequest.objects.create(
        patient=patient,
        received_on=date(2026, 1, 5),
        identity_verified_on=date(2026, 1, 6),  # issue 10: copies need the ID check
        recorded_by=user,
    )


# Which object each URL's kwargs name (patients by default; pk = the questionnaire).
# URLs without kwargs need no entry: treatments:vial_receive (a receipt of several vials,
# issue 13.13) is walked like any other, open to every role holding treatments.add_vial,
# reception included (DOMAIN §7.3: stock, view on receiving).
ROUTE_OBJECTS = {
    "diary:week": {"practitioner_id": "diary_practitioner"},  # issue 15
    "diary:feed": {"token": "feed"},
    "diary:appointment": {"public_id": "appointment"},
    "diary:waiting_list_change": {"pk": "waiting_entry"},
    "diary:appointment_step": {"public_id": "appointment"},
    "diary:appointment_move": {"public_id": "appointment"},
    "diary:appointment_cancel": {"public_id": "appointment"},
    "diary:appointment_start": {"public_id": "appointment"},
    "diary:aftercare_send": {"public_id": "session"},  # issue 15.5
    "diary:unsubscribe": {"token": "=not-a-token"},  # public: any token gets a page
    "reports:dashboard_panel": {"panel": "=outcomes"},
    "treatments:session_detail": {"public_id": "session"},
    "treatments:session_edit": {"public_id": "session"},
    "treatments:session_check": {"public_id": "session"},
    "treatments:session_addendum": {"public_id": "session"},
    "treatments:session_withdraw": {"public_id": "session"},
    "treatments:vial_detail": {"pk": "vial"},
    "treatments:vial_reconstitute": {"pk": "vial"},
    "treatments:vial_correct_reconstitution": {"pk": "vial"},
    "treatments:vial_discard": {"pk": "vial"},
    "treatments:task_done": {"pk": "task"},
    "treatments:task_reopen": {"pk": "task"},  # issue 13.18
    "patients:subject_access_edit": {"pk": "sar"},  # issue 6
    "patients:subject_access_json": {"pk": "sar"},  # issue 10: a copy per request
    "patients:subject_access_print": {"pk": "sar"},
    "patients:subject_access_json_file": {"pk": "sar", "copy": "sar_copy"},  # issue 12.2
    "treatments:side_effect_detail": {"public_id": "side_effect"},
    "treatments:side_effect_review": {"public_id": "side_effect"},
    "treatments:side_effect_decision": {"public_id": "side_effect"},
    "treatments:yellow_card": {"public_id": "side_effect"},
    "treatments:yellow_card_csv": {"public_id": "side_effect"},
    "reports:session_history": {"public_id": "session"},  # issue 5
    "reports:vial_history": {"pk": "vial"},  # issue 5
    "reports:export_download": {"pk": "export"},  # issue 12.2: the manager's own export
    **{  # issue 10: staff accounts
        f"staff:{name}": {"pk": "staff"}
        for name in ("detail", "role", "registration", "deactivate", "reactivate", "password_link")
    },
    "staff:approval_decide": {"pk": "approval"},  # a manager's grant waiting for a practitioner
}


def test_every_route_object_names_a_route():
    """A renamed URL leaves no stale entry behind, whose route would quietly be given a
    questionnaire's key instead of its own object's."""
    assert set(ROUTE_OBJECTS) <= {route.name for route in ROUTES}


def _kwargs(route: Route, objects, *, unknown: bool = False) -> dict:
    mapping = ROUTE_OBJECTS.get(route.name, {})
    values = {}
    for name in route.kwargs_names:
        spec = mapping.get(name, "patient" if name == "public_id" else "questionnaire")
        if spec.startswith("="):  # a fixed slug, e.g. a dashboard panel's name
            values[name] = "no-such-thing" if unknown else spec[1:]
            continue
        target = objects[spec]
        if name == "public_id":
            values[name] = uuid.uuid4() if unknown else target.public_id
        else:
            # A kwarg the object has by name (a feed's token), else its pk.
            unknown_value = "no-such-token" if name == "token" else 10**9
            values[name] = unknown_value if unknown else getattr(target, name, target.pk)
    return values


def _allowed(access: str, role: Role | None) -> bool:
    if access == PUBLIC:
        return True
    if role is None:
        return False
    if access == AUTHENTICATED:
        return True
    return role_allows(role, access)


PERSONAS = [None, Role.RECEPTION, Role.PRACTITIONER, Role.MANAGER, "deactivated"]


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: str(p or "anonymous"))
@pytest.mark.parametrize("method", ["get", "post"])
def test_matrix(
    route, persona, method, reception, practitioner, manager, deactivated, objects, signed_in
):
    users = {
        Role.RECEPTION: reception,
        Role.PRACTITIONER: practitioner,
        Role.MANAGER: manager,
        "deactivated": deactivated,
        None: None,
    }
    # A deactivated user's session is not honoured: they are anonymous.
    role = None if persona == "deactivated" else persona
    client = signed_in(users[persona])
    url = reverse(route.name, kwargs=_kwargs(route, objects))
    response = getattr(client, method)(url)
    login_url = reverse("login")
    if _allowed(route.access, role):
        assert response.status_code in (200, 302, 405), (url, response.status_code)
        if response.status_code == 302 and route.name != "logout":
            assert not response["Location"].startswith(login_url), url
    elif role is None:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(login_url), url
    else:
        assert response.status_code == 403, (url, persona, response.status_code)


# A public page has no role to refuse (the staff set-password link: tests/clinic/test_staff.py).
OBJECT_ROUTES = [r for r in ROUTES if r.kwargs_names and r.access != PUBLIC]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[r.name for r in OBJECT_ROUTES])
def test_unknown_identifier_is_404_for_allowed_roles(
    route, reception, practitioner, manager, objects
):
    for role, user in (
        (Role.RECEPTION, reception),
        (Role.PRACTITIONER, practitioner),
        (Role.MANAGER, manager),
    ):
        url = reverse(route.name, kwargs=_kwargs(route, objects, unknown=True))
        response = client_for(user).get(url)
        expected = 404 if role_allows(role, route.access) else 403
        if expected == 404 and response.status_code == 405:
            response = client_for(user).post(url)
        assert response.status_code == expected, (url, role, response.status_code)


def test_malformed_uuid_is_404(reception_client):
    assert reception_client.get("/patients/not-a-uuid/").status_code == 404
    assert reception_client.get("/patients/123/questionnaire/").status_code == 404


def test_admin_access(reception, practitioner, manager):
    assert client_for(None).get("/admin/").status_code == 302
    for user in (reception, practitioner):
        response = client_for(user).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    manager_client = client_for(manager)
    assert manager_client.get("/admin/").status_code == 200
    assert manager_client.get("/admin/treatments/indication/").status_code == 200
    assert manager_client.get("/admin/treatments/product/").status_code == 200
    for model in ("doseguideline", "doselimit", "sitetemplate", "safetyparameter"):
        assert manager_client.get(f"/admin/treatments/{model}/").status_code == 200
    template_id = SiteTemplate.objects.get(slug="preempt").pk
    assert (
        manager_client.get(f"/admin/treatments/sitetemplate/{template_id}/change/").status_code
        == 200
    )
    # Managers edit reference data but cannot delete it, nor edit patients in the admin.
    assert manager_client.get("/admin/treatments/product/1/delete/").status_code == 403
    assert manager_client.get("/admin/patients/patient/add/").status_code == 403


# Issue 6: a record reached through another patient's URL is not found -------------------

# Routes naming a patient (public_id) and one of that patient's records (pk).
NESTED_ROUTES = [
    r
    for r in ROUTES
    if "public_id" in r.kwargs_names
    and "public_id" not in ROUTE_OBJECTS.get(r.name, {})
    and len(r.kwargs_names) > 1
]


@pytest.mark.parametrize("route", NESTED_ROUTES, ids=[r.name for r in NESTED_ROUTES])
def test_other_patients_record_is_404(route, reception, practitioner, manager, objects):
    """patients/<A>/.../<pk of B's record>/ must not reach B's record (IDOR)."""
    from tests.factories import PatientFactory, QuestionnaireFactory

    other = PatientFactory(registered_by=reception)
    others = {
        **objects,
        "patient": objects["patient"],
        "questionnaire": QuestionnaireFactory(patient=other, entered_by=reception),
        "sar": _sar_for(other, manager),
    }
    assert NESTED_ROUTES, "the walker finds nested patient routes"
    for user in (reception, practitioner, manager):
        client = client_for(user)
        url = reverse(route.name, kwargs=_kwargs(route, others))
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        allowed = any(role_allows(role, route.access) for role in _roles_of(user))
        assert response.status_code == (404 if allowed else 403), (url, user, response)


def _roles_of(user) -> list[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]
