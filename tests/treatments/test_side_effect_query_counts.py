"""Pinned query counts for the side-effect pages: the same with 1 report as with 40."""

import pytest

from tests.clinic.test_query_counts import ACCESS_LOG, BASE, SCREENING_BANNER
from tests.factories import SideEffectFactory, TreatmentSessionFactory, VialFactory
from tests.treatments.test_query_counts import count_queries
from treatments.models import VialDraw

pytestmark = pytest.mark.django_db


def add_side_effects(patient, practitioner, n, **fields):
    made = []
    for _ in range(n):
        session = TreatmentSessionFactory(patient=patient, practitioner=practitioner, signed=True)
        VialDraw.objects.create(session=session, vial=session.vial, units=10)
        VialDraw.objects.create(session=session, vial=VialFactory(), units=5)
        made.append(SideEffectFactory(session=session, patient=patient, **fields))
    return made


def pinned(client, url, grow, expected):
    few = count_queries(client, url)
    grow()
    assert count_queries(client, url) == few
    assert few == expected, few


def test_patient_side_effects_tab(practitioner_client, practitioner, patient):
    add_side_effects(patient, practitioner, 1)
    # + 1 patient + 1 open side effects (header) + 1 side effects (with session, product,
    # indication, users, term) + 1 their vials + access event + the banner's screening line
    pinned(
        practitioner_client,
        f"/patients/{patient.public_id}/side-effects/",
        lambda: add_side_effects(patient, practitioner, 40),
        BASE + 4 + ACCESS_LOG + SCREENING_BANNER,
    )


def test_side_effect_detail_and_yellow_card(practitioner_client, practitioner, patient):
    (se,) = add_side_effects(patient, practitioner, 1)
    # + 1 side effect (with its session, patient, users) + 1 vials + 1 open side effects
    # + 2 Yellow Card thresholds and prompt reasons + access event + the banner's line
    detail = count_queries(practitioner_client, se.get_absolute_url())
    add_side_effects(patient, practitioner, 40)
    assert count_queries(practitioner_client, se.get_absolute_url()) == detail
    assert detail == BASE + 4 + ACCESS_LOG + SCREENING_BANNER, detail
    # + 1 side effect + 1 its vials (the batches, read once) + 1 points (with sites)
    # + 1 latest questionnaire + access event
    url = f"/side-effects/{se.public_id}/yellow-card/"
    assert count_queries(practitioner_client, url) == BASE + 4 + ACCESS_LOG


def test_queue_and_serious_list(practitioner_client, manager_client, practitioner, patient):
    # Serious ones name their reviewer and treating practitioner on the serious list.
    serious = {"is_serious": True, "reviewed_by": practitioner}
    add_side_effects(patient, practitioner, 1, serious_hospitalisation=True, **serious)
    add_side_effects(patient, practitioner, 1, status="unreviewed", severity=None)

    def grow():
        add_side_effects(patient, practitioner, 20, serious_disability=True, **serious)
        add_side_effects(patient, practitioner, 20, status="unreviewed", severity=None)

    # + 1 unreviewed + 1 awaiting a decision + 1 their vials + access event
    few_queue = count_queries(practitioner_client, "/side-effects/")
    # + 1 serious reactions (with the reviewer and the treating practitioner) + 1 their
    # vials + access event
    few_serious = count_queries(manager_client, "/side-effects/serious/")
    grow()
    assert count_queries(practitioner_client, "/side-effects/") == few_queue
    assert count_queries(manager_client, "/side-effects/serious/") == few_serious
    assert few_queue == BASE + 3 + ACCESS_LOG, few_queue
    assert few_serious == BASE + 2 + ACCESS_LOG, few_serious
