"""The serious side effects list in the browser, at a laptop's 1366x768 and an iPad's
820x1180 (browser review, 07/12/2026: on the iPad the list was 987 px wide and its
Yellow Card column was cut off). Each reaction's secondary details are stacked under it,
so the Yellow Card decisions are on the screen with no sideways scrolling, and nothing
the eight columns said is left out."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.roles import Role
from tests.factories import (
    PatientFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from treatments.models import Indication, VialDraw

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_reference_data"),
]

LAPTOP, IPAD = {"width": 1366, "height": 768}, {"width": 820, "height": 1180}
REFERENCE = "GB-MHRA-ADR-000123456789-2026-12-07-AB"  # 38 of the field's 40 characters
REASON = (
    "Known, listed reaction in the SmPC; resolved within 48 hours; discussed with the "
    "medical director, who agreed it need not be reported"
)


def serious_reactions(practitioner):
    """Three serious reactions, as wide as the list's rows get: a colleague reviewed one
    that Amelia treated (two names), from two lots, with three seriousness criteria and no
    decision yet; one reported with a long Yellow Card reference; one not reported, with
    a long reason."""
    practitioner.first_name, practitioner.last_name = "Amelia", "Hart"
    practitioner.save()
    colleague = UserFactory(
        username="priya", first_name="Priya", last_name="Shah", role=Role.PRACTITIONER
    )
    longest = max(Indication.objects.all(), key=lambda i: len(i.name))
    serious = {"severity": 3, "serious_hospitalisation": True, "is_serious": True}

    def reaction(lot, **fields):
        # Signed with its indication: a signed session's row cannot be changed afterwards
        # (PostgreSQL's trigger refused the UPDATE this made).
        session = TreatmentSessionFactory(
            patient=PatientFactory(),
            practitioner=practitioner,
            indication=longest,
            signed=True,
            signed_at=timezone.now(),
            performed_at=timezone.now() - timedelta(days=7),
            vial=VialFactory(lot=lot),
        )
        VialDraw.objects.create(session=session, vial=session.vial, units=20)
        made = SideEffectFactory(session=session, patient=session.patient, **serious, **fields)
        return session, made

    session, undecided = reaction(
        "C6056C3",
        reviewed_by=colleague,
        serious_life_threatening=True,
        serious_disability=True,
        onset_date=timezone.localdate() - timedelta(days=12),
    )
    VialDraw.objects.create(session=session, vial=VialFactory(lot="D7012C4"), units=10)
    _, reported = reaction(
        "E1203C5",
        reviewed_by=practitioner,
        regulator_decision="reported",
        yellow_card_reference=REFERENCE,
    )
    _, not_reported = reaction(
        "F3344C6",
        reviewed_by=colleague,
        regulator_decision="not-reported",
        not_reported_reason=REASON,
    )
    return undecided, reported, not_reported, longest


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD], ids=["laptop", "ipad"])
def test_the_yellow_card_column_is_on_the_screen_with_every_detail(
    page: Page, live_server, practitioner, manager, login, shot, viewport
):
    undecided, reported, not_reported, indication = serious_reactions(practitioner)
    page.set_viewport_size(viewport)
    login(page, live_server, "marcus")
    page.goto(f"{live_server.url}/side-effects/serious/")
    table = page.get_by_test_id("serious-list")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)

    # No sideways scrolling: the page is as wide as the screen, and each row's Yellow
    # Card cell ends within it (the first one wholly in view as the page opens).
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    cards = table.get_by_test_id("yellow-card")
    expect(cards.first).to_be_in_viewport(ratio=1)
    for index in range(3):
        box = cards.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box

    # Nothing left out: the decisions, why each is serious, the indication, the lots.
    undecided_row = rows.filter(has_text=undecided.patient.record_number)
    expect(undecided_row.get_by_test_id("yellow-card")).to_contain_text("No decision")
    expect(undecided_row.get_by_test_id("waiting")).to_have_text("reported today")
    why = undecided_row.get_by_test_id("why-serious")
    for criterion in ("Life-threatening", "hospitalisation", "disability"):
        expect(why).to_contain_text(criterion)
    expect(undecided_row).to_contain_text("C6056C3")
    expect(undecided_row).to_contain_text("D7012C4")
    expect(undecided_row.get_by_test_id("indication")).to_have_text(indication.name)
    expect(undecided_row.get_by_test_id("responsible")).to_contain_text("Priya Shah")
    expect(undecided_row.get_by_test_id("responsible")).to_contain_text("treated by Amelia Hart")
    reported_row = rows.filter(has_text=reported.patient.record_number)
    expect(reported_row.get_by_test_id("yellow-card")).to_contain_text(f"Reported {REFERENCE}")
    not_reported_row = rows.filter(has_text=not_reported.patient.record_number)
    expect(not_reported_row.get_by_test_id("yellow-card")).to_contain_text(f"Not reported {REASON}")
    shot(page, f"serious-list-{'laptop' if viewport is LAPTOP else 'ipad'}")  # and axe
