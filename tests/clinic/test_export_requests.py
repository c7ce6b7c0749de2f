"""Asking for a large report export (issue 12.2, review of the CSV link): the CSV link is
a GET and writes nothing (a reload, a browser's prefetch or a link preview queued an
export each); the export is queued by the offer's button, a POST whose one-time token
makes one export of a double-click or a resent form. Who may do either is unchanged."""

import re
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from clinic.idempotency import REPLAYED_MESSAGE, UNCHECKED_SUBMISSION_MESSAGE
from clinic.models import AccessEvent
from clinic.reports.models import ReportExport
from clinic.roles import Role
from tests.clinic.test_reports import signed_session
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_export_is_large")]

CSV = "/reports/practitioner-activity/csv/"
PREPARE = "/reports/practitioner-activity/csv/prepare/"
QUERY = "?start=01/01/2024&end=31/12/2024"


@pytest.fixture
def every_export_is_large():
    """The review's reproduction: a threshold no result is under, so no rows are needed."""
    with override_settings(REPORT_EXPORT_ASYNC_ROWS=-1):
        yield


def _token(response) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', response.content.decode())[1]


def _nothing_written():
    return not ReportExport.objects.exists() and not DBTaskResult.objects.exists()


def test_gets_of_the_csv_link_queue_nothing(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):  # a reload, a prefetch, a link preview
            response = manager_client.get(CSV + QUERY)
            assert response.status_code == 200
            assert "Prepare the export" in response.content.decode()
        assert manager_client.head(CSV + QUERY).status_code == 200
    assert callbacks == []
    assert _nothing_written()
    # Nothing was downloaded, so no download (nor export) is in the access log.
    assert not AccessEvent.objects.filter(action__startswith="report.").exists()


def test_one_post_queues_one_export_with_the_filters_shown(
    manager_client, manager, django_capture_on_commit_callbacks
):
    token = _token(manager_client.get(CSV + QUERY))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(PREPARE + QUERY, {"submission_token": token})
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    export = ReportExport.objects.get()
    assert (export.user, export.report, export.prepared) == (manager, "practitioner-activity", True)
    assert export.filters == {"start": "01/01/2024", "end": "31/12/2024"}
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("prepare_report_export")
    assert task.args_kwargs["args"][0] == export.pk
    assert task.args_kwargs["args"][1]["start"] == ["01/01/2024"]
    assert AccessEvent.objects.filter(action="report.export_queued", user=manager).count() == 1
    page = manager_client.get(response["Location"]).content.decode()
    assert "Your export is being prepared" in page and "Being prepared" in page


def test_a_double_click_or_a_resent_form_queues_one_export(
    manager_client, manager, django_capture_on_commit_callbacks
):
    token = _token(manager_client.get(CSV + QUERY))
    with django_capture_on_commit_callbacks(execute=True):
        first = manager_client.post(PREPARE + QUERY, {"submission_token": token})
        second = manager_client.post(PREPARE + QUERY, {"submission_token": token}, follow=True)
    assert second.redirect_chain == [(first["Location"], 302)]
    assert escape(REPLAYED_MESSAGE) in second.content.decode()
    assert ReportExport.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert AccessEvent.objects.filter(action="report.export_queued").count() == 1


def test_each_offer_is_its_own_export(manager_client, django_capture_on_commit_callbacks):
    """Asked for twice on purpose (the page opened again): two exports."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            token = _token(manager_client.get(CSV + QUERY))
            manager_client.post(PREPARE + QUERY, {"submission_token": token})
    assert ReportExport.objects.count() == 2 and DBTaskResult.objects.count() == 2


@pytest.mark.parametrize("token", ["not-a-uuid", "someone-elses"])
def test_a_token_that_cannot_be_used_queues_nothing_and_offers_the_button_again(
    manager_client, token, django_capture_on_commit_callbacks
):
    if token == "someone-elses":
        other = client_for(UserFactory(username="other-manager", role=Role.MANAGER))
        token = _token(other.get(CSV + QUERY))
        with django_capture_on_commit_callbacks(execute=True):
            other.post(PREPARE + QUERY, {"submission_token": token})
        ReportExport.objects.all().delete()
        DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(PREPARE + QUERY, {"submission_token": token}, follow=True)
    assert response.redirect_chain == [(CSV + QUERY.replace("/", "%2F"), 302)]
    html = response.content.decode()
    assert escape(UNCHECKED_SUBMISSION_MESSAGE) in html and "Prepare the export" in html
    assert _token(response) != token
    assert _nothing_written()


def test_filters_the_form_refuses_queue_nothing(manager_client):
    query = "?start=31/12/2024&end=01/01/2024"  # an end before the start
    response = manager_client.post(PREPARE + query, {"submission_token": str(uuid.uuid4())})
    assert response.status_code == 302
    assert response["Location"].startswith("/reports/practitioner-activity/?")
    assert (
        "The export was not prepared" in manager_client.get(response["Location"]).content.decode()
    )
    assert _nothing_written()


def test_the_prepare_url_answers_only_a_post(manager_client):
    assert manager_client.get(PREPARE + QUERY).status_code == 405
    assert _nothing_written()


@pytest.mark.parametrize("persona", ["reception_client", "practitioner_client"])
def test_permissions_are_unchanged(persona, request):
    client = request.getfixturevalue(persona)
    assert client.get(CSV + QUERY).status_code == 403
    assert client.post(PREPARE + QUERY, {"submission_token": str(uuid.uuid4())}).status_code == 403
    assert client.get(reverse("reports:exports")).status_code == 403
    assert _nothing_written()


def test_anonymous_is_sent_to_sign_in(client):
    for response in (client.get(CSV), client.post(PREPARE)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert _nothing_written()


@override_settings(REPORT_EXPORT_ASYNC_ROWS=0)
def test_the_offer_says_what_will_happen(manager_client, practitioner):
    signed_session(practitioner=practitioner)
    html = manager_client.get(CSV + "?start=01/01/2000").content.decode()
    assert "This CSV will be prepared in the background" in html
    assert "more than 0 rows, too many to download straight away" in html
    assert reverse("reports:exports") in html  # where it will be listed
    form = html[html.rindex("<form", 0, html.index('data-testid="prepare-export"')) :]
    assert 'method="post"' in form
    assert f'action="{PREPARE}?start=01%2F01%2F2000' in form
    assert 'href="/reports/practitioner-activity/?start=01%2F01%2F2000' in form  # back
    assert _nothing_written()


def test_small_results_still_download_straight_away(manager_client, practitioner):
    signed_session(practitioner=practitioner)
    with override_settings(REPORT_EXPORT_ASYNC_ROWS=5000):
        response = manager_client.get(CSV)
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    b"".join(response.streaming_content)
    export = ReportExport.objects.get()
    assert not export.prepared and export.row_count is not None
    assert not DBTaskResult.objects.exists()
