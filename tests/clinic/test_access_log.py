"""The access log (issue 6): one append-only row per request that read clinical data,
searched, exported or printed; who viewed a patient between two dates, for managers."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from clinic.audit import ACTIONS, audited, patient_of, record_access
from clinic.models import AccessEvent
from patients.views.governance import ACCESS_LOG_PAGE_SIZE
from tests.conftest import client_for
from tests.factories import PatientFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_viewing_a_patient_page_writes_exactly_one_access_event(
    practitioner_client, practitioner, patient
):
    assert AccessEvent.objects.count() == 0
    response = practitioner_client.get(patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AccessEvent.objects.get()
    assert event.patient == patient
    assert event.user == practitioner
    assert event.username == "amelia"
    assert event.role == "Practitioner"
    assert event.action == "patient.view"
    assert event.method == "GET"
    assert event.path == patient.get_absolute_url()
    assert event.ip_address == "10.1.2.3"
    assert event.status_code == 200
    assert event.occurred_at <= timezone.now()


def test_one_row_per_request_not_per_result_row(reception_client, reception):
    PatientFactory.create_batch(30, registered_by=reception, family_name="Ashworth")
    reception_client.get("/patients/?q=ashworth")
    assert list(AccessEvent.objects.values_list("action", "patient")) == [("patient.search", None)]
    reception_client.get("/patients/")
    assert AccessEvent.objects.filter(action="patient.list").count() == 1


def test_clinical_pages_name_the_patient(practitioner_client, practitioner, patient):
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    urls = {
        f"/patients/{patient.public_id}/questionnaire/": "questionnaire.view",
        f"/patients/{patient.public_id}/history/": "patient.history",
        f"/patients/{patient.public_id}/outcomes/": "outcome.view",
        f"/sessions/{session.public_id}/": "session.view",
        f"/sessions/{session.public_id}/edit/": "session.edit",
    }
    for url, action in urls.items():
        assert practitioner_client.get(url).status_code == 200, url
        event = AccessEvent.objects.order_by("-id").first()
        assert (event.action, event.patient_id) == (action, patient.pk), url


def test_refused_or_missing_records_write_nothing(reception_client, patient):
    # Reception may not read questionnaires (403); an unknown patient is 404.
    assert reception_client.get(f"/patients/{patient.public_id}/questionnaire/").status_code == 403
    assert (
        reception_client.get(f"/patients/{'0' * 8}-0000-4000-8000-{'0' * 12}/").status_code == 404
    )
    assert AccessEvent.objects.count() == 0


def test_empty_lot_lookup_is_not_logged_but_a_lookup_is(practitioner_client):
    practitioner_client.get("/lots/")
    assert AccessEvent.objects.count() == 0
    practitioner_client.get("/lots/?lot=ABC123")
    assert AccessEvent.objects.get().action == "lot.lookup"


def test_patient_of_resolver_costs_no_extra_query(rf, practitioner, patient):
    """The patient is found by a subquery inside the INSERT."""
    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)

    @audited("session.view", patient=patient_of("treatments.TreatmentSession"))
    def view(request, public_id):
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/x")
    request.user = practitioner
    practitioner.has_perm("treatments.view_treatmentsession")  # as require_perm would
    with CaptureQueriesContext(connection) as ctx:
        view(request, public_id=session.public_id)
    # PostgreSQL: one INSERT, its trigger chains the row. SQLite (the demo) computes the
    # hash chain in Python: one SELECT (the last link and the patient) before the INSERT.
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert AccessEvent.objects.get().patient_id == patient.pk


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_resolver_naming_no_record_logs_no_patient_and_no_error(rf, practitioner, value):
    """A value that is no UUID, or names no session: the event is written, without a
    patient (on PostgreSQL the INSERT is hand-written: it must agree with the ORM's)."""

    @audited("session.view", patient=patient_of("treatments.TreatmentSession"))
    def view(request, public_id):
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/x?tab=2", REMOTE_ADDR="10.9.8.7")
    request.user = practitioner
    practitioner.has_perm("treatments.view_treatmentsession")
    view(request, public_id=value)
    event = AccessEvent.objects.get()
    assert event.patient_id is None
    assert (event.username, event.role, event.action) == ("amelia", "Practitioner", "session.view")
    assert (event.method, event.path, event.ip_address) == ("GET", "/x", "10.9.8.7")
    assert event.object_ref == f"public_id={value}"


@pytest.mark.parametrize("how", ["across a relation", "a custom subquery"])
def test_patients_only_the_orm_can_name_are_still_logged(rf, practitioner, patient, how):
    """A resolver's lookup across relations, or a custom resolver's expression, goes
    through the ORM: the event names the patient as before."""
    from django.db.models import Subquery

    from patients.models import Patient

    session = TreatmentSessionFactory(patient=patient, practitioner=practitioner)
    if how == "across a relation":
        resolver = patient_of("treatments.TreatmentSession", field="patient__id")
    else:

        def resolver(request, public_id):
            return Subquery(Patient.objects.filter(pk=patient.pk).values("pk")[:1])

    @audited("session.view", patient=resolver)
    def view(request, public_id):
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/x")
    request.user = practitioner
    view(request, public_id=session.public_id)
    assert AccessEvent.objects.get().patient_id == patient.pk


def test_an_ipv6_zone_is_not_kept(rf):
    """The column keeps no zone ("%eth0"), and the chain's hash is of what it keeps."""
    from clinic.audit import client_ip

    assert client_ip(rf.get("/", REMOTE_ADDR="fe80::1%eth0")) == "fe80::1"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.7")) == "10.0.0.7"


def test_view_may_name_the_patient_and_refine_the_action(rf, manager, patient):
    @audited("report.view")
    def view(request):
        from django.http import HttpResponse

        request.audit_patient = patient
        request.audit_action = "report.download"
        return HttpResponse("ok")

    request = rf.get("/report.csv")
    request.user = manager
    view(request)
    event = AccessEvent.objects.get()
    assert (event.patient, event.action, event.role) == (patient, "report.download", "Manager")


def test_audited_keeps_the_access_declaration():
    from patients.views import patient_detail

    assert patient_detail.access == "patients.view_patient"
    assert patient_detail.__wrapped__  # functools.wraps chain kept


def _audited_views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _audited_views(pattern.url_patterns)
        else:
            callback = getattr(pattern.callback, "view_class", pattern.callback)
            yield from (getattr(callback, "audit_action", None),)


def test_every_logged_action_has_a_label():
    """The "What" column of Who viewed this record reads ACTIONS: an action without a label
    showed as its code (diary.appointment_move; found by a browser review, 07/12/2026).
    Every view's @audited action, and every action named in the code, has one."""
    from pathlib import Path

    from django.conf import settings
    from django.urls import get_resolver

    assert all(action.count(".") == 1 for action in ACTIONS)
    used = {action for action in _audited_views(get_resolver().url_patterns) if action}
    assert "diary.appointment_move" in used and "patient.view" in used  # the walk finds them
    named = re.compile(r'(?:audit_action = |action=)"([a-z_]+\.[a-z_]+)"')
    for app in ("clinic", "patients", "treatments"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            used.update(named.findall(path.read_text(encoding="utf-8")))
    assert {"report.print", "questionnaire.view", "vial.view"} <= used
    assert sorted(used - ACTIONS.keys()) == []


def test_trusted_proxy_address(rf, settings, manager):
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    request.user = manager
    record_access(request, action="patient.view")
    assert AccessEvent.objects.get().ip_address == "198.51.100.7"


# Managers: who viewed this patient between two dates --------------------------------------


def _event(patient, user, days_ago: int, action="patient.view"):
    return AccessEvent.objects.create(
        occurred_at=timezone.now() - timedelta(days=days_ago),
        user=user,
        username=user.username,
        role="Practitioner",
        patient=patient,
        action=action,
        method="GET",
        path=patient.get_absolute_url(),
        ip_address="10.0.0.5",
        status_code=200,
    )


def test_manager_sees_who_viewed_between_dates(manager_client, practitioner, patient):
    _event(patient, practitioner, 40)
    _event(patient, practitioner, 5)
    other = PatientFactory()
    _event(other, practitioner, 5)
    since = (timezone.localdate() - timedelta(days=10)).strftime("%d/%m/%Y")
    until = timezone.localdate().strftime("%d/%m/%Y")
    url = f"/patients/{patient.public_id}/access-log/?since={since}&until={until}"
    response = manager_client.get(url)
    assert response.status_code == 200
    # One row in the period (the table's rows as rendered, before this view's own event).
    assert response.content.decode().count("10.0.0.5") == 1
    # Looking at the log is itself logged.
    assert AccessEvent.objects.filter(action="patient.access_log", patient=patient).exists()
    assert "Viewed a patient" in response.content.decode()


def test_a_search_is_logged_without_its_terms_and_older_terms_are_not_shown(
    reception_client, manager_client, patient
):
    """A search's terms identify patients (an NHS number typed into ?q=): the event keeps
    the page without its query string, and a row written before that (which kept it) is
    shown without it, in the page, the CSV and the admin, to managers who may not see NHS
    numbers (found by review, 04/12/2026)."""
    response = reception_client.get("/patients/", {"q": patient.nhs_number})
    assert response.status_code == 302  # one match: straight to the record
    event = AccessEvent.objects.get(patient=patient)
    assert event.path == "/patients/"
    _event(patient, event.user, 1)
    AccessEvent.objects.create(
        username="old-search-row", role="Reception", patient=patient, action="patient.search",
        method="GET", path=f"/patients/?q={patient.nhs_number}", status_code=200,
    )  # fmt: skip
    page = manager_client.get(f"/patients/{patient.public_id}/access-log/").content.decode()
    assert "old-search-row" in page and patient.nhs_number not in page
    export = manager_client.get(f"/patients/{patient.public_id}/access-log.csv")
    assert patient.nhs_number not in b"".join(export.streaming_content).decode()
    admin = manager_client.get("/admin/clinic/accessevent/", {"q": patient.nhs_number})
    assert admin.status_code == 200 and admin.context["cl"].result_count == 0
    old = AccessEvent.objects.get(username="old-search-row")
    detail = manager_client.get(f"/admin/clinic/accessevent/{old.pk}/change/")
    assert detail.status_code == 200 and patient.nhs_number not in detail.content.decode()


def test_access_log_bad_dates_are_a_form_error_not_a_500(manager_client, patient):
    url = f"/patients/{patient.public_id}/access-log/?since=31/02/2026&until=not-a-date"
    response = manager_client.get(url)
    assert response.status_code == 200
    assert response.context["form"].errors
    response = manager_client.get(
        f"/patients/{patient.public_id}/access-log/?since=10/01/2026&until=01/01/2026"
    )
    assert "The start date is after the end date." in response.content.decode()
    # The calendar's last day has no next day to end the period at (was an OverflowError).
    for path in ("access-log/", "access-log.csv"):
        url = f"/patients/{patient.public_id}/{path}?since=01/01/0001&until=31/12/9999"
        assert manager_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["page=1000000000000000000000000000000", "per_page=1000000000000000000000000000000",
     "per_page=-3&page=-2", "per_page=1000000"],
)  # fmt: skip
def test_access_log_page_numbers_and_sizes_from_the_url_are_bounded(
    manager_client, practitioner, patient, query
):
    """A huge page number was PostgreSQL's "bigint out of range" (a 500, found by the
    hostile-input test); the page size is the view's whatever the URL says."""
    for days in range(3):
        _event(patient, practitioner, days)
    response = manager_client.get(f"/patients/{patient.public_id}/access-log/?{query}")
    assert response.status_code == 200
    page = response.context["table"].page
    assert page.number == 1 and page.paginator.per_page == ACCESS_LOG_PAGE_SIZE
    assert len(page.object_list) >= 3


def test_access_log_csv_streams_and_is_logged(manager_client, practitioner, patient):
    for days in range(3):
        _event(patient, practitioner, days)
    response = manager_client.get(f"/patients/{patient.public_id}/access-log.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")  # the byte-order mark spreadsheets need for UTF-8
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["When (UK time)", "Staff", "Role"]
    # Header, the three views, and this export itself (logged before the body streams).
    assert len(rows) == 1 + 3 + 1
    assert rows[1][3] == "Exported who accessed a patient's record"
    assert AccessEvent.objects.filter(action="patient.access_log_export").count() == 1


def test_csv_cells_cannot_start_a_formula(manager_client, patient):
    AccessEvent.objects.create(
        username="=HYPERLINK(1)",
        action="patient.view",
        method="GET",
        path="/",
        status_code=200,
        patient=patient,
    )
    response = manager_client.get(f"/patients/{patient.public_id}/access-log.csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_only_managers_read_the_access_log(reception_client, practitioner_client, patient):
    for client in (reception_client, practitioner_client):
        assert client.get(f"/patients/{patient.public_id}/access-log/").status_code == 403
        assert client.get(f"/patients/{patient.public_id}/access-log.csv").status_code == 403


def test_patient_page_links_managers_to_the_access_log(manager_client, reception_client, patient):
    url = f"/patients/{patient.public_id}/access-log/"
    assert url in manager_client.get(patient.get_absolute_url()).content.decode()
    assert url not in reception_client.get(patient.get_absolute_url()).content.decode()


def test_admin_offers_no_way_to_change_the_log(manager, patient):
    from django.contrib.auth.models import Permission

    event = _event(patient, manager, 1)
    manager.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="clinic", codename__endswith="accessevent"
        )
    )
    client = client_for(manager)
    listing = client.get("/admin/clinic/accessevent/")
    assert listing.status_code == 200
    # What was done, in words, not its code (review 07/12/2026: "patient.sar_print").
    assert escape(ACTIONS["patient.view"]) in listing.content.decode()
    assert client.get("/admin/clinic/accessevent/add/").status_code == 403
    assert client.get(f"/admin/clinic/accessevent/{event.pk}/delete/").status_code == 403
    page = client.get(f"/admin/clinic/accessevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_access_log_filters_by_what_was_done_in_words(manager_client, manager, patient):
    """Manager review, 07/12/2026: the "What" column read "Viewed a report" and the
    filter beside it "report.view"; both are in words, and the filter still filters."""
    _event(patient, manager, 1, action="report.view")
    _event(patient, manager, 2, action="patient.view")
    listing = manager_client.get("/admin/clinic/accessevent/").content.decode()
    sidebar = listing[listing.index('id="changelist-filter"') :]
    assert escape(ACTIONS["report.view"]) in sidebar and ">report.view<" not in sidebar
    only = manager_client.get("/admin/clinic/accessevent/", {"action": "report.view"})
    rows = only.content.decode()
    assert escape(ACTIONS["report.view"]) in rows
    assert only.context["cl"].result_count == 1


# The database itself refuses changes (PostgreSQL trigger, clinic migration 0004) --------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_database_refuses_update_delete_and_truncate(manager, patient):
    event = _event(patient, manager, 1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action="edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.action = "edited"
        event.save()
    event.refresh_from_db()
    assert event.action == "patient.view"
    assert AccessEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_only_the_table_owner_may_truncate_and_no_session_setting_changes_that():
    """The old clinic.allow_access_log_truncate flag is gone (clinic migration 0005):
    turning it on changes nothing; TRUNCATE is let through for the table's owner only
    (the role that empties the test database), refused for any other role (see
    tests/clinic/test_database_roles.py for the runtime role)."""
    AccessEvent.objects.create(
        username="x", action="patient.view", method="GET", path="/", status_code=200
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = 'clinic_accessevent_refuse_change'"
        )
        (source,) = cursor.fetchone()
        cursor.execute(
            "SELECT current_user = pg_get_userbyid(relowner) FROM pg_class"
            " WHERE oid = 'clinic_accessevent'::regclass"
        )
        (is_owner,) = cursor.fetchone()
    assert "allow_access_log_truncate" not in source and "relowner" in source
    if not is_owner:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL clinic.allow_access_log_truncate = on")
            cursor.execute("TRUNCATE clinic_accessevent")
        assert AccessEvent.objects.count() == 1
    else:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE clinic_accessevent")
        assert AccessEvent.objects.count() == 0


def test_the_page_column_breaks_so_the_ip_address_fits_an_ipad(manager_client, patient):
    # At 820 px the unbroken page addresses pushed the IP address column 5 px off the
    # screen. The Page column (the fifth) breaks anywhere.
    from pathlib import Path

    from django.conf import settings

    page = manager_client.get(f"/patients/{patient.public_id}/access-log/").content.decode()
    assert "access-log-table" in page
    heads = page[page.index("<thead") : page.index("</thead>")].split("<th ")[1:]
    assert [head.split(">")[1].strip().split("<")[0].strip() for head in heads][4:] == [
        "Page",
        "IP address",
    ]
    css = (Path(settings.BASE_DIR) / "clinic/static/clinic/app.css").read_text()
    assert ".access-log-table td:nth-child(5) { overflow-wrap: anywhere; }" in css


def test_the_page_column_shortens_record_ids_and_keeps_the_whole_path(manager_client, patient):
    """Browser review (07/12/2026): a 36-character id wrapped each row's page over four or
    five lines on an iPad. The ids are shortened on screen, whole on hover and in the CSV."""
    path = f"/patients/{patient.public_id}/access-log/"
    manager_client.get(path)
    page = manager_client.get(path).content.decode()
    assert f'<span title="{path}">/patients/…/access-log/</span>' in page
    export = manager_client.get(f"/patients/{patient.public_id}/access-log.csv")
    assert path in b"".join(export.streaming_content).decode()
