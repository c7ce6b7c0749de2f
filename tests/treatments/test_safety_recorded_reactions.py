"""Rule 21 from the record: a hypersensitivity reaction recorded here as a side effect is a
documented hypersensitivity to botulinum toxin (practitioner review, 07/12/2026: a serious
anaphylaxis recorded after a BOTOX session left the patient's next session, of Azzalure,
without a finding, and it was signed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SideEffectFactory, _term
from tests.treatments.session_helpers import save, start
from treatments import safety, selectors, services
from treatments.models import SideEffectTerm

pytestmark = pytest.mark.django_db


def test_the_seeded_terms_marked_as_hypersensitivity():
    """Reference data (DOMAIN §4.1, S109): which recorded reactions count for rule 21."""
    marked = SideEffectTerm.objects.filter(hypersensitivity=True)
    assert set(marked.values_list("slug", flat=True)) == {"hypersensitivity", "anaphylaxis"}


def test_a_recorded_anaphylaxis_refuses_signing_another_brand(practitioner, ready_patient):
    earlier = start(ready_patient, practitioner, "glabellar-lines", "botox")
    earlier = save(earlier, practitioner)
    services.session_sign(
        session=earlier, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    today = timezone.localdate()
    SideEffectFactory(
        session=earlier,
        term=_term("anaphylaxis"),
        onset_date=today,
        causality="",  # reported, not yet assessed: it blocks all the same
        status="unreviewed",
        serious_life_threatening=True,
    )
    SideEffectFactory(session=earlier, term=_term("eyelid-ptosis"), onset_date=today)
    # Onset after the session's date (a draft left open, say): a warning, not a block.
    SideEffectFactory(
        session=earlier, term=_term("hypersensitivity"), onset_date=today + timedelta(days=3)
    )

    draft = save(start(ready_patient, practitioner, "glabellar-lines", "azzalure"), practitioner)
    inputs = selectors.safety_inputs_for_session(session=draft)
    later = today + timedelta(days=3)
    assert inputs.history.reactions == (
        safety.RecordedReaction(
            onset_on=later,
            term="Hypersensitivity (urticaria, oedema)",
            brand="BOTOX",
            causality="probable",
            causality_label="Probable / likely",
        ),
        safety.RecordedReaction(
            onset_on=today, term="Anaphylaxis", brand="BOTOX", causality="", reviewed=False
        ),
    )
    found = {f.code: f for f in inputs.evaluate()}
    assert found["contra.hypersensitivity_since"].message.startswith(
        f"Recorded after this session's date: Hypersensitivity (urticaria, oedema) on "
        f"{later:%d/%m/%Y} after BOTOX (causality: Probable / likely). If the treatment is "
        "today, do not treat"
    )
    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=draft, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    codes = [f.code for f in refused.value.blocks]
    assert codes == ["contra.hypersensitivity_recorded"]
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_report_reception_logged_without_a_term_is_a_warning_until_reviewed(
    practitioner, ready_patient
):
    """Code review (07/12/2026): a call logged by reception ("lips swelled, hives, used her
    EpiPen") has no term until a practitioner reviews it, and gave no finding."""
    earlier = save(start(ready_patient, practitioner, "glabellar-lines", "botox"), practitioner)
    logged = SideEffectFactory(
        session=earlier,
        term=None,
        description="Lips swelled, hives, used her EpiPen",
        status="unreviewed",
        causality="",
        onset_date=timezone.localdate(),
    )
    draft = save(start(ready_patient, practitioner, "lateral-canthal-lines", "botox"), practitioner)
    found = {f.code: f for f in selectors.safety_inputs_for_session(session=draft).evaluate()}
    warning = found["side_effect.awaiting_review"]
    assert warning.level == safety.Level.WARN
    assert warning.message.startswith(
        f"1 side-effect report awaiting a practitioner's review (onset "
        f"{logged.onset_date:%d/%m/%Y}): review before treating."
    )
    assert "contra.hypersensitivity_recorded" not in found


def test_a_patient_without_such_a_reaction_is_not_held(practitioner, ready_patient):
    earlier = save(start(ready_patient, practitioner, "glabellar-lines", "botox"), practitioner)
    SideEffectFactory(session=earlier, term=_term("eyelid-ptosis"))
    draft = save(start(ready_patient, practitioner, "lateral-canthal-lines", "botox"), practitioner)
    inputs = selectors.safety_inputs_for_session(session=draft)
    assert inputs.history.reactions == ()
    assert not [f for f in inputs.evaluate() if f.code.startswith("contra.hypersensitivity")]


def test_two_like_reactions_one_without_a_session_are_both_read(practitioner, ready_patient):
    """Code review (07/12/2026): sorting the rows compared a product id with None (a report
    not linked to a session) and the editor, the live check and signing failed."""
    earlier = save(start(ready_patient, practitioner, "glabellar-lines", "botox"), practitioner)
    today = timezone.localdate()
    for session in (earlier, None):
        SideEffectFactory(
            session=session, patient=ready_patient, term=_term("anaphylaxis"), onset_date=today
        )
    draft = save(start(ready_patient, practitioner, "lateral-canthal-lines", "botox"), practitioner)
    reactions = selectors.safety_inputs_for_session(session=draft).history.reactions
    assert sorted(r.brand for r in reactions) == ["", "BOTOX"]
