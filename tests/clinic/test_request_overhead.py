"""A lean request (issue 14.1): the session, its user, the role and the permissions in one
query; still revoked at once when the account changes (clinic.session_store)."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import StaffSession
from clinic.roles import Role
from clinic.session_store import SessionStore, forget_access
from clinic.staff import services as staff
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _queries(client, url, method="get", **data):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return response, [q["sql"] for q in ctx.captured_queries]


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_signed_in_page_costs_one_query_before_the_view(reception):
    client = _signed_in(reception)  # a real sign-in: the snapshot is written with it
    response, queries = _queries(client, "/accounts/session/ping/", "post")
    assert response.status_code == 200
    # Only the session with its user (one JOIN): no user, groups or permission reads;
    # then the ping's own write of the activity time.
    assert len(queries) == 2, queries
    assert "JOIN" in queries[0] and "clinic_staff_session" in queries[0]
    assert queries[1].startswith('UPDATE "clinic_staff_session"')
    page, queries = _queries(client, "/patients/")
    assert page.status_code == 200 and "Reception" in page.content.decode()  # role badge
    assert not [sql for sql in queries if "auth_group" in sql or "auth_permission" in sql]


def test_deactivation_ends_access_at_once(manager, reception):
    client = _signed_in(reception)
    assert client.get("/patients/").status_code == 200
    staff.staff_deactivate(deactivated_by=manager, user=reception)
    assert not StaffSession.objects.filter(user=reception).exists()
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_inactive_user_is_refused_even_when_no_signal_ran(reception):
    client = client_for(reception)
    assert client.get("/patients/").status_code == 200
    type(reception).objects.filter(pk=reception.pk).update(is_active=False)  # no signals
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_role_change_applies_on_the_next_request(superuser, reception):
    client = client_for(reception)
    assert client.get("/patients/new/").status_code == 200
    # The system administrator's change applies at once (a manager's Practitioner waits
    # for a practitioner's confirmation: test_staff_approvals.py).
    staff.staff_change_role(changed_by=superuser, user=reception, role=Role.PRACTITIONER)
    assert client.get("/patients/new/").status_code == 403  # practitioners do not register
    page = client.get("/patients/")
    assert "Practitioner" in page.content.decode()


@pytest.mark.parametrize("deleted", ["group", "permission"])
def test_a_deleted_role_group_or_permission_applies_on_the_next_request(manager, deleted):
    """Deleting a group (or a permission) removes its members' rows by cascade, without
    m2m_changed: an open session must not keep the access it gave."""
    from django.contrib.auth.models import Permission

    client = client_for(manager)
    assert client.get("/staff/").status_code == 200
    if deleted == "group":
        manager.groups.get().delete()
    else:
        Permission.objects.get(codename="manage_staff").delete()
    assert client.get("/staff/").status_code == 403


def test_a_superuser_flag_change_applies_on_the_next_request(reception):
    client = client_for(reception)
    assert client.get("/reports/exports/").status_code == 403
    reception.is_superuser = True
    reception.save()
    assert client.get("/reports/exports/").status_code == 200


def test_a_password_change_elsewhere_ends_the_session(reception):
    client = client_for(reception)
    assert client.get("/patients/").status_code == 200
    reception.set_password("another-long-passphrase-42")
    reception.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_snapshot_computed_before_a_change_is_not_written_after_it(reception):
    client = client_for(reception)
    key = client.session.session_key
    StaffSession.objects.filter(pk=key).update(access=None)
    store = SessionStore(key)
    store.get("_auth_user_id")  # this request read stamp n...
    stale = {"uid": reception.pk, "perms": ["patients.view_patient"], "roles": [], "otp": None}
    forget_access(user_ids=[reception.pk])  # ...a role change commits (stamp n + 1)...
    store.remember_access(stale)
    store.save()  # ...and its stale snapshot is not written over it
    assert StaffSession.objects.get(pk=key).access is None


def test_the_verified_device_is_not_read_on_every_request(manager):
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    client = _signed_in(manager)
    totp = TOTP(bytes.fromhex(device.key))
    totp.time = time.time()
    ok = client.post("/accounts/two-factor/", {"token": f"{totp.token():06d}", "next": "/"})
    assert ok.status_code == 302
    client.get("/accounts/")  # the snapshot takes the verified device once
    response, queries = _queries(client, "/accounts/session/ping/", "post")
    assert response.wsgi_request.user.is_verified()
    assert len(queries) == 2 and not [sql for sql in queries if "otp_totp" in sql], queries
    device.delete()  # removing the device clears the snapshot: no longer verified
    response = client.post("/accounts/session/ping/")
    assert not response.wsgi_request.user.is_verified()


def test_nul_bytes_are_refused_in_an_urlencoded_body(reception_client):
    response = reception_client.post(
        "/patients/new/",
        "family_name=x%00y&given_name=a",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
