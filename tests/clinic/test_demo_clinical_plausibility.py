"""The demo is clinically plausible (issue 13.21): reactions are treated as that reaction
is treated, and every first cosmetic treatment follows a prescriber's face-to-face
assessment (rule 34)."""

import pytest
from django.db.models import Min

from tests.shared_rows import demo_seeded_once
from treatments.models import PrescriberAssessment, SideEffect, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=["services", "bulk"])
def seeded_demo(request, django_db_setup, django_db_blocker):
    """Seeded once per path for the module's tests (tests/shared_rows.py)."""
    bulk = request.param == "bulk"
    with demo_seeded_once(django_db_blocker, patients=80, seed=3, bulk=bulk) as output:
        yield output


@pytest.fixture
def demo(seeded_demo, db):
    return seeded_demo


def test_no_refused_sessions_and_each_reaction_treated_as_itself(demo):
    assert "0 refused by the safety engine" in demo
    for se in SideEffect.objects.select_related("term").exclude(treatment_given=""):
        if "eye drops" in se.treatment_given.lower():
            assert se.term.slug == "eyelid-ptosis", (se.term.slug, se.treatment_given)
    for se in SideEffect.objects.filter(term__slug="dysphagia"):
        assert "apraclonidine" not in se.treatment_given.lower()


def test_every_first_cosmetic_treatment_follows_a_face_to_face_assessment(demo):
    firsts = (
        TreatmentSession.objects.filter(status="signed", indication__category="cosmetic")
        .values("patient_id")
        .annotate(first=Min("performed_at"))
    )
    assert firsts
    for row in firsts:
        assessed = PrescriberAssessment.objects.filter(
            patient_id=row["patient_id"], assessed_on__lte=row["first"].date()
        )
        assert assessed.exists(), row


def test_one_patient_has_an_allergic_reaction_recorded_after_their_last_session(demo):
    """Rule 21 from the record in the demo: a reaction to a toxin, reported to the Yellow
    Card scheme, after the patient's latest session; nothing signed after it, and a new
    session for them is blocked."""
    from treatments import selectors

    (reaction,) = SideEffect.objects.filter(term__hypersensitivity=True).select_related(
        "session", "patient"
    )
    assert reaction.causality == "probable" and reaction.yellow_card_reference
    later = TreatmentSession.objects.filter(
        patient=reaction.patient, performed_at__gt=reaction.session.performed_at, status="signed"
    )
    assert not later.exists()
    history = selectors.patient_history_facts(reaction.patient)
    assert [r.term for r in history.reactions] == ["Hypersensitivity (urticaria, oedema)"]
