"""Large report exports through the background worker (issue 12.2): above the threshold
the CSV link offers a button that queues the export, the worker writes the file, and its
owner downloads exactly the bytes the streamed download gives, from the Exports page;
everyone else gets a 404. The offer (a GET) writes nothing, and the button's one-time
token queues one export however often it is sent (tests/clinic/test_export_requests.py)."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from clinic.background import private_storage
from clinic.jobs.models import FailedJob
from clinic.models import AccessEvent
from clinic.reports import exports
from clinic.reports.models import ReportExport
from tests.clinic.test_reports import body, signed_session
from tests.clinic.worker import run_worker
from tests.conftest import client_for
from tests.factories import SideEffectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_sessions(practitioner):
    sessions = [signed_session(practitioner=practitioner) for _ in range(3)]
    # a cell a spreadsheet would run as a formula, in the side-effects report
    for session, given in zip(sessions, ["=HYPERLINK(1)", "ice", "rest"], strict=True):
        SideEffectFactory(session=session, patient=session.patient, treatment_given=given)
    return sessions


def _prepare_url(url: str) -> str:
    path, _, query = url.partition("?")
    return f"{path}prepare/" + (f"?{query}" if query else "")


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


def _ask(client, url, capture):
    """As the manager clicks: the CSV link (a GET: the offer, nothing written), then its
    "Prepare the export" button (a POST with the page's one-time token)."""
    offer = client.get(url)
    assert offer.status_code == 200 and not ReportExport.objects.filter(prepared=True).exists()
    with capture(execute=True):
        return client.post(_prepare_url(url), {"submission_token": _token(offer.content.decode())})


@override_settings(REPORT_EXPORT_ASYNC_ROWS=2)
@pytest.mark.parametrize("slug", ["sessions", "side-effects"])
def test_large_export_goes_through_the_worker_and_serves_the_streamed_bytes(
    slug, manager_client, manager, three_sessions, django_capture_on_commit_callbacks
):
    url = f"/reports/{slug}/csv/?start=01/01/2000"
    response = _ask(manager_client, url, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    page = manager_client.get(reverse("reports:exports")).content.decode()
    assert "Your export is being prepared" in page and "Being prepared" in page
    export = ReportExport.objects.get(prepared=True)
    assert export.state == "preparing"
    assert AccessEvent.objects.filter(action="report.export_queued", user=manager).exists()

    run_worker()
    export.refresh_from_db()
    assert export.state == "ready" and export.row_count >= 1
    assert export.file_name.startswith(f"reports/{export.pk}-{slug}-")
    assert "/static/" not in export.file_name and "media" not in export.file_name
    page = manager_client.get(reverse("reports:exports")).content.decode()
    assert reverse("reports:export_download", args=[export.pk]) in page

    download = manager_client.get(reverse("reports:export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    prepared = b"".join(download.streaming_content)
    assert AccessEvent.objects.filter(action="report.export_download", user=manager).count() == 1

    with override_settings(REPORT_EXPORT_ASYNC_ROWS=10_000):  # the same, streamed
        streamed = body(manager_client.get(url)).encode("utf-8")
    assert prepared == streamed
    if slug == "side-effects":
        assert b"'=HYPERLINK(1)" in prepared


@override_settings(REPORT_EXPORT_ASYNC_ROWS=2)
def test_a_prepared_export_is_its_owners_only(
    manager_client, practitioner, three_sessions, django_capture_on_commit_callbacks
):
    from clinic.roles import Role

    _ask(manager_client, "/reports/sessions/csv/", django_capture_on_commit_callbacks)
    run_worker()
    export = ReportExport.objects.get(prepared=True)
    other_manager = client_for(UserFactory(username="other-manager", role=Role.MANAGER))
    url = reverse("reports:export_download", args=[export.pk])
    assert other_manager.get(url).status_code == 404  # not even told it exists
    listed = other_manager.get(reverse("reports:exports")).content.decode()
    assert 'data-testid="export-row"' not in listed
    assert client_for(practitioner).get(url).status_code == 403


@override_settings(REPORT_EXPORT_ASYNC_ROWS=2)
def test_an_export_whose_file_is_gone_is_listed_so_and_its_link_sends_its_owner_back(
    manager_client, manager, three_sessions, django_capture_on_commit_callbacks
):
    _ask(manager_client, "/reports/sessions/csv/", django_capture_on_commit_callbacks)
    run_worker()
    export = ReportExport.objects.get(prepared=True)
    assert export.state == "ready"
    private_storage().delete(export.file_name)  # removed from storage, the row kept

    url = reverse("reports:export_download", args=[export.pk])
    # The list says so, and offers no download that could only fail.
    listed = manager_client.get(reverse("reports:exports")).content.decode()
    assert "No longer available" in listed and "Ready<" not in listed
    assert url not in listed and "press Download CSV to have it prepared again" in listed
    assert '<a href="/reports/sessions/' in listed  # back to the report, to ask again
    response = manager_client.get(url, follow=True)
    assert response.redirect_chain == [(reverse("reports:exports"), 302)]
    html = response.content.decode()
    assert "The file of that Sessions export is no longer available" in html
    assert "open the report and press Download CSV" in html
    # Nothing was sent, so no download is logged.
    assert not AccessEvent.objects.filter(action="report.export_download").exists()


def test_small_exports_still_stream(manager_client, three_sessions):
    response = manager_client.get("/reports/sessions/csv/")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert not ReportExport.objects.filter(prepared=True).exists()


@override_settings(REPORT_EXPORT_ASYNC_ROWS=2)
def test_an_export_that_keeps_failing_is_marked_failed_and_listed(
    manager_client, three_sessions, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "stream", broken)
    _ask(manager_client, "/reports/sessions/csv/", django_capture_on_commit_callbacks)
    run_worker()
    export = ReportExport.objects.get(prepared=True)
    assert export.state == "failed"
    job = FailedJob.objects.get()
    assert (job.task_name, job.attempts, job.error) == ("prepare_report_export", 3, "OSError")
    listed = manager_client.get(reverse("reports:exports")).content.decode()
    assert "Failed" in listed and "practice manager" not in listed  # the reader is one
    assert 'href="/reports/sessions/' in listed and "press Download CSV to try again" in listed
    assert "prepare_report_export" in manager_client.get(reverse("jobs:failed")).content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_exports_page_query_count_is_flat(
    manager_client, manager, count, django_assert_num_queries
):
    ReportExport.objects.bulk_create(
        ReportExport(user=manager, report="sessions", prepared=True) for _ in range(count)
    )
    manager_client.get(reverse("reports:exports"))  # warm the session
    with django_assert_num_queries(EXPORTS_PAGE_QUERIES):
        response = manager_client.get(reverse("reports:exports"))
    assert response.content.decode().count('data-testid="export-row"') == count


# The session with its user (permissions and the navigation's role from its access
# snapshot, clinic.session_store), the exports (one query), then the access event: one
# INSERT on PostgreSQL (a trigger chains it), the chain's head and the INSERT on SQLite.
# The same whatever the number of exports.
EXPORTS_PAGE_QUERIES = 2 + (1 if connection.vendor == "postgresql" else 2)


def test_the_demo_seed_leaves_a_finished_export_and_a_failed_job():
    from django.core.management import call_command

    from clinic.roles import Role
    from tests.factories import UserFactory

    call_command("seed_demo", patients=12, verbosity=0)
    export = ReportExport.objects.get(prepared=True, failed_at=None)
    assert export.state == "ready" and export.row_count > 0
    manager = export.user
    assert manager.username == "manager"
    client = client_for(manager)
    page = client.get(reverse("reports:exports")).content.decode()
    assert "Ready" in page and "Failed" in page
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    assert b"".join(download.streaming_content).startswith("\ufeffPerformed,".encode())
    assert "prepare_report_export" in client.get(reverse("jobs:failed")).content.decode()
    other = client_for(UserFactory(username="another-manager", role=Role.MANAGER))
    assert other.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
