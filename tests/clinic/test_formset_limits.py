"""A forged form count builds no more forms than a page accepts (found 07/12/2026 in the
hostile-input test's timings): Django builds up to max_num + 1,000 forms for whatever
TOTAL_FORMS says, so one request with "999...9" there built, validated and re-showed
1,010 prior-treatment forms of the questionnaire, 2.5-5.5 s of a worker's CPU, for any
signed-in user. Now each formset's absolute_max is its max_num: the page says how many
may be sent and builds no more."""

import pytest
from django.urls import reverse

from tests.patients.test_views import questionnaire_data
from tests.treatments.administration_flow import save_data
from tests.treatments.test_session_write_queries import _started

pytestmark = pytest.mark.django_db
FORGED = "9" * 400


def test_the_questionnaire_builds_at_most_its_ten_prior_treatments(practitioner_client, patient):
    url = reverse("patients:questionnaire_new", args=[patient.public_id])
    response = practitioner_client.post(url, questionnaire_data(**{"prior-TOTAL_FORMS": FORGED}))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 10
    assert "Please submit at most 10 forms." in response.content.decode()
    assert not patient.questionnaires.exists()


def test_the_session_editor_builds_at_most_its_eighty_points(practitioner):
    flow, session, url = _started(practitioner)
    data = save_data(flow.client, session)
    data["points-TOTAL_FORMS"] = FORGED
    response = flow.client.post(url, data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= 80
    assert "Please submit at most 80 forms." in response.content.decode()
