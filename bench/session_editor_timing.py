"""The session editor with 31 PREEMPT points: median time of the page (GET) and of the live
safety check (POST treatments:session_check), 20 repetitions each, Django test client on
the test database (SQLite unless DATABASE_URL says otherwise).

    .venv/bin/pytest bench/session_editor_timing.py -q -s -p no:randomly

Prints two lines: `editor GET median ... ms` and `live check POST median ... ms`.
"""

import statistics
import time

import pytest
from django.test import Client

from clinic.roles import Role
from tests.factories import PatientFactory, QuestionnaireFactory, UserFactory, VialFactory
from treatments import selectors, services
from treatments.models import Indication, Product

REPEATS = 20


def _median_ms(call) -> float:
    call()  # warm-up: template loading, first-query caches
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(timings)


@pytest.mark.django_db
def test_session_editor_timing():
    practitioner = UserFactory(username="bench-practitioner", role=Role.PRACTITIONER)
    patient = PatientFactory(registered_by=practitioner)
    QuestionnaireFactory(patient=patient, entered_by=practitioner)
    VialFactory(received_by=practitioner, presentation_units=200, diluent_ml=4)
    indication = Indication.objects.get(slug="chronic-migraine")
    product = Product.objects.get(slug="botox")
    template = selectors.site_template_for(indication=indication, product=product)
    session = services.session_start(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        product=product,
        template=template,
    )
    assert session.points.count() == 31
    client = Client()
    client.force_login(practitioner)
    url = f"/sessions/{session.public_id}/edit/"
    page = client.get(url)
    form = page.context["form"]
    formset = page.context["formset"]
    data = {"version": session.version, "performed_at": form["performed_at"].value()}
    for name in form.fields:
        value = form[name].value()
        if name not in data and value not in (None, False, ""):
            data[name] = value.pk if hasattr(value, "pk") else value
    data.update(
        {
            "points-TOTAL_FORMS": len(formset.forms),
            "points-INITIAL_FORMS": len(formset.forms),
        }
    )
    for index, row in enumerate(formset.forms):
        for name in ("site", "side", "units", "volume_ml", "points"):
            value = row[name].value()
            data[f"points-{index}-{name}"] = value.pk if hasattr(value, "pk") else value
    if isinstance(data.get("performed_at"), object) and hasattr(data["performed_at"], "strftime"):
        data["performed_at"] = data["performed_at"].strftime("%d/%m/%Y %H:%M")
    check_url = f"/sessions/{session.public_id}/check/"
    get_ms = _median_ms(lambda: client.get(url))
    post_ms = _median_ms(lambda: client.post(check_url, data, HTTP_HX_REQUEST="true"))
    print(f"\neditor GET median {get_ms:.1f} ms")
    print(f"live check POST median {post_ms:.1f} ms")
