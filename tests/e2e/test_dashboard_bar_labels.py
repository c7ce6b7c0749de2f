"""The dashboard's horizontal bar charts name every bar (manager review, 07/12/2026: with
twelve indications in the year, the side-effect chart's 180 px let Chart.js skip every
other indication's name, so "Lower limb spasticity / equinus, child" stood beside the
bar of Horizontal forehead lines, the year's highest rate)."""

from datetime import datetime, time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PatientFactory, SideEffectFactory, TreatmentSessionFactory
from treatments.models import Indication

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

CHART_LABELS = """(kind) => {
  const chart = Chart.getChart(document.querySelector(`canvas[data-report-chart="${kind}"]`));
  return {labels: chart.data.labels.length, named: chart.scales.y.ticks.length};
}"""


@pytest.mark.parametrize("viewport", [(1366, 768), (820, 1180)], ids=["laptop", "ipad"])
def test_every_indication_is_named_beside_its_bar(
    page: Page, live_server, manager, practitioner, reception, login, viewport
):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    # Just after midnight today: in this month whatever the day.
    early_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 1)))
    indications = list(Indication.objects.order_by("name")[:12])
    assert len(indications) == 12
    for number, indication in enumerate(indications):
        session = TreatmentSessionFactory(
            patient=PatientFactory(registered_by=reception),
            practitioner=practitioner,
            indication=indication,
            performed_at=early_today,
            signed=True,
            signed_at=early_today,
            consent_taken=True,
            points=1,
            points__units=Decimal(5),
        )
        if number == 0:  # one side effect: with none at all the chart is a line of text
            SideEffectFactory(session=session, patient=session.patient)
    call_command("rebuild_rollups", stdout=StringIO())

    login(page, live_server, "marcus")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    page.wait_for_function(
        "() => typeof Chart !== 'undefined' && Chart.getChart("
        "document.querySelector('canvas[data-report-chart=side_effects]'))"
    )
    assert page.evaluate(CHART_LABELS, "side_effects") == {"labels": 12, "named": 12}
