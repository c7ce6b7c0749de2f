"""The dose-safety engine at its boundaries: the minimum interval (rule 19), top-ups (20),
screening on file and reviewed, contraindications and cautions (21-25), the bladder
(26) and rules 27-28. Pure: no database."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.treatments.safety_builders import (
    born,
    child_session,
    codes,
    history,
    one,
    only,
    prior,
    pt,
    run,
    screening,
    session,
    standard_sessions,
    uk,
    vial,
)
from tests.treatments.safety_reference import (
    BLOCK,
    DAY,
    OVERRIDE,
    WARN,
    D,
)
from treatments import safety
from treatments.safety import Finding, PatientHistory, ProposedSession, ScreeningFacts


def test_rule19_83_days_is_too_soon_84_is_not():
    f = one(run(session(), history(prior(83, 40))), "interval.too_soon")
    assert f.level == OVERRIDE
    assert f.message == (
        f"Last BOTOX session 83 days (11 weeks 6 days) ago ({uk(83)}); the minimum interval "
        "is 12 weeks for Upper limb spasticity, adult"
    )
    assert not only(run(session(), history(prior(84, 40))), "interval.too_soon")


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "0 days"), (1, "1 day"), (7, "1 week"), (8, "8 days (1 week 1 day)"), (84, "12 weeks")],
)
def test_day_spans_in_messages(days, text):
    assert safety._span(days) == text


def test_numbers_in_messages():
    assert [safety._num(D(v)) for v in ("5.00", "100", "6.666", "0.5", "1E+2")] == [
        "5",
        "100",
        "6.67",
        "0.5",
        "100",
    ]


def test_rule19_message_in_weeks():
    f = one(run(session(), history(prior(56, 40))), "interval.too_soon")
    assert f"8 weeks ago ({uk(56)})" in f.message


def test_rule19_guideline_interval_overrides_the_indication():
    s = session("botox", "cervical-dystonia", [pt(40, "Splenius capitis")])
    f = one(run(s, history(prior(69, 40, indication="cervical-dystonia"))), "interval.too_soon")
    assert "10 weeks" in f.message and "S24" in f.source
    assert not only(
        run(s, history(prior(70, 40, indication="cervical-dystonia"))), "interval.too_soon"
    )
    dysport = child_session(20, 100, "dysport", vial=vial("dysport", units_per_ml=D(200)))
    h = history(prior(111, 100, "dysport", "spasticity-paed-ul"))
    assert "16 weeks" in one(run(dysport, h), "interval.too_soon").message


def test_rule19_needs_same_family_and_same_indication():
    assert not only(
        run(session(), history(prior(30, 40, indication="cervical-dystonia"))), "interval.too_soon"
    )
    assert not only(run(session(), history(prior(30, 40, "xeomin"))), "interval.too_soon")
    assert not only(run(session(), history(prior(30, 40, indication=None))), "interval.too_soon")
    # Vistabel and BOTOX are one family.
    assert only(run(session(), history(prior(30, 40, "vistabel"))), "interval.too_soon")


def test_rule19_uses_the_most_recent_dose_and_ignores_later_ones():
    f = one(
        run(session(), history(prior(200, 40), prior(50, 40), prior(-5, 40))), "interval.too_soon"
    )
    assert uk(50) in f.message


# Rule 20: top-up within 14 days -------------------------------------------------------------


def test_rule20_unlinked_session_13_days_after_asks_for_the_link():
    # Issue 13.5: a top-up is linked by the practitioner, never inferred.
    findings = run(session(top_up_reason="Asymmetry"), history(prior(13, 40, session_id=5)))
    f = one(findings, "interval.top_up")
    assert f.level == OVERRIDE and "link it to that session" in f.message
    assert not only(findings, "interval.too_soon")


def test_rule20_linked_top_up_needs_a_reason():
    s = session(top_up_of_session_id=5)
    f = one(run(s, history(prior(13, 40, session_id=5))), "interval.top_up")
    assert f.level == OVERRIDE
    assert f.message.startswith(
        f"Top-up of the session on {uk(13)}: its units count in the same episode"
    )


def test_rule20_linked_top_up_with_a_reason_is_a_warning():
    s = session(top_up_of_session_id=5, top_up_reason="Asymmetry at review")
    f = one(run(s, history(prior(13, 40, session_id=5))), "interval.top_up")
    assert f.level == WARN and "Asymmetry at review" in f.message


def test_rule20_link_to_a_session_outside_the_window_needs_a_reason():
    s = session(top_up_of_session_id=5, top_up_reason="Asymmetry")
    findings = run(s, history(prior(20, 40, session_id=5)))
    assert one(findings, "interval.top_up_link").level == OVERRIDE
    assert one(findings, "interval.too_soon").level == OVERRIDE


def test_rule20_and_32_sentences_do_not_run_an_indication_name_with_a_comma_into_them():
    # "BOTOX session for Upper limb spasticity, adult 13 days ago" read as a list: the
    # top-up findings say "this indication" (the editor shows which), and the off-label
    # consent finding puts the name in brackets.
    unlinked = one(run(session(), history(prior(13, 40, session_id=5))), "interval.top_up")
    assert unlinked.message == (
        f"BOTOX session for this indication 13 days (1 week 6 days) ago ({uk(13)}): a session "
        "within 2 weeks is a top-up: link it to that session (Top-up of) and record the "
        "reason, so that its units count in the same episode"
    )
    linked = session(top_up_of_session_id=5, top_up_reason="Asymmetry")
    link = one(run(linked, history(prior(20, 40, session_id=5))), "interval.top_up_link")
    assert link.message == (
        "Linked as a top-up, but the linked session is not a BOTOX session for this indication "
        "within the last 2 weeks: remove the link, or record why"
    )
    teen = replace(session(), date_of_birth=born(16))
    consent = one(run(teen), "licence.off_label_consent")
    assert consent.message == (
        "Off-label for this patient (BOTOX for Upper limb spasticity, adult): record the "
        "off-label consent"
    )


def test_rule20_linked_top_up_units_count_in_the_episode():
    # Dysport adult upper limb: 1000 U per session; 900 U then a 200 U top-up is 1100 U.
    index = prior(6, 900, "dysport", session_id=5)
    top_up = session(
        "dysport",
        points=[pt(200)],
        vial=vial("dysport", units_per_ml=D(500)),
        top_up_of_session_id=5,
        top_up_reason="Weak response",
    )
    f = one(run(top_up, history(index)), "dose.dysport_adult_ul")
    assert "episode total 1100 U (this top-up 200 U + 900 U on" in f.message
    assert not only(
        run(replace(top_up, top_up_of_session_id=None), history(index)), "dose.dysport_adult_ul"
    )


def test_rule20_14_days_is_no_longer_a_top_up_but_too_soon():
    for reason in ("", "Asymmetry"):
        findings = run(session(top_up_reason=reason), history(prior(14, 40)))
        assert not only(findings, "interval.top_up")
        assert one(findings, "interval.too_soon").level == OVERRIDE


def test_rule20_top_up_units_count_in_the_windows():
    findings = run(session(points=[pt(11)]), history(prior(10, 390)))
    assert one(findings, "interval.top_up").level == OVERRIDE
    assert "401 U" in one(findings, "dose.allergan_adult_84d").message


# Screening on file and reviewed -------------------------------------------------------------


def unsigned(days_ago: int, units: str = "200", brand="BOTOX", who="Amelia Hart"):
    return safety.UnsignedSession(
        on=DAY - timedelta(days=days_ago),
        brand=brand,
        indication_name="Cervical dystonia",
        practitioner=who,
        units=D(units),
    )


def test_another_unsigned_session_is_a_warning_that_says_what_to_do():
    """Its doses are in no window: a treatment given 3 weeks ago and left unsigned would
    not make today's session too soon (rule 19) or over a limit."""
    found = run(session(), history(prior(83, 40), unsigned=(unsigned(21),)))
    f = one(found, "history.unsigned_session")
    assert f.level == WARN
    assert f.message == (
        f"Another session for this patient not signed: BOTOX for Cervical dystonia on "
        f"{uk(21)} by Amelia Hart (200 U entered). Its doses are not counted in these "
        "checks: if it was given, sign it first; if not, withdraw it"
    )
    assert "rules 2, 9-20" in f.source
    assert not only(run(session(), history(prior(83, 40))), "history.unsigned_session")


def test_two_other_unsigned_sessions_are_one_warning_oldest_first():
    f = one(
        run(
            session(), history(unsigned=(unsigned(0, "12.5", "Dysport", "Priya Shah"), unsigned(9)))
        ),
        "history.unsigned_session",
    )
    assert f.message.startswith(
        f"Other sessions for this patient not signed: BOTOX for Cervical dystonia on {uk(9)} "
        f"by Amelia Hart (200 U entered); Dysport for Cervical dystonia on {uk(0)} by Priya "
        "Shah (12.5 U entered). Their doses are not counted in these checks: if they were "
        "given, sign them first; if not, withdraw them"
    )


def test_screening_missing_blocks_and_suppresses_answer_rules():
    h = PatientHistory(doses=(), screening=None)
    assert codes(run(session(), h)) == {("screening.missing", BLOCK)}


def test_screening_not_reviewed_blocks():
    assert codes(run(session(screening_reviewed=False))) == {("screening.not_reviewed", BLOCK)}


def with_answers(s: ProposedSession | None = None, **answers) -> list[Finding]:
    return run(s or session(), history(screening_facts=screening(**answers)))


# Rules 21-25: contraindications and cautions ------------------------------------------------


def test_rule21_hypersensitivity_blocks():
    assert codes(with_answers(allergy_toxin_or_albumin=True)) == {
        ("contra.hypersensitivity", BLOCK)
    }


def reaction(days_ago: int, causality: str = "", term="Anaphylaxis", brand="BOTOX"):
    return safety.RecordedReaction(
        onset_on=DAY - timedelta(days=days_ago), term=term, brand=brand, causality=causality
    )


@pytest.mark.parametrize("causality", ["", "certain", "probable", "possible", "unassessable"])
def test_rule21_a_hypersensitivity_recorded_here_blocks_every_toxin(causality):
    """Practitioner review (07/12/2026): an anaphylaxis recorded after a BOTOX session left
    the next session, of Azzalure, without a finding. Assessed or not yet, it blocks,
    whatever the product now."""
    azzalure = session("azzalure", "glabellar-lines", [pt(50, "Corrugator")], vial=vial("azzalure"))
    for proposed in (session(), azzalure):
        found = run(proposed, history(reactions=(reaction(200, causality),)))
        f = one(found, "contra.hypersensitivity_recorded")
        assessed = f"causality: {causality}" if causality else "causality not yet assessed"
        assert f.level == BLOCK
        assert f.message == (
            f"Recorded here: Anaphylaxis on {uk(200)} after BOTOX ({assessed}). A "
            "hypersensitivity reaction to a botulinum toxin contraindicates every toxin "
            "product: do not treat, and withdraw this draft"
        )
        assert not only(found, "contra.hypersensitivity_unlikely")


def test_rule21_the_recorded_reaction_comes_before_the_steps_still_to_take():
    """Practitioner review (07/12/2026): Lucy Peters' recorded reaction came third of five
    blocks, after "no vial chosen" and "screening not reviewed"."""
    found = run(session(vial=None), history(reactions=(reaction(200, "probable"),)))
    blocks = [f.code for f in found if f.level == BLOCK]
    assert blocks[0] == "contra.hypersensitivity_recorded"
    assert "vial.missing" in blocks[1:]


def test_rule21_a_reaction_assessed_as_unlikely_is_a_warning_and_each_is_named():
    found = run(
        session(),
        history(
            reactions=(
                reaction(30, "unlikely", term="Hypersensitivity (urticaria, oedema)", brand=""),
                reaction(400, "probable"),
            )
        ),
    )
    assert one(found, "contra.hypersensitivity_recorded").message.startswith(
        f"Recorded here: Anaphylaxis on {uk(400)} after BOTOX (causality: probable). "
    )
    warn = one(found, "contra.hypersensitivity_unlikely")
    assert warn.level == WARN
    assert warn.message == (
        "Recorded here and assessed as unlikely to be the toxin's: Hypersensitivity "
        f"(urticaria, oedema) on {uk(30)} (causality: unlikely). Confirm with the patient "
        "before treating"
    )
    assert not only(run(session(), history()), "contra.hypersensitivity_recorded")


def test_rule22_infection_blocks_and_names_inflammation_for_bocouture():
    f = one(with_answers(infection_at_sites=True), "contra.infection")
    assert f.level == BLOCK and "inflammation" not in f.message
    s = session("bocouture", "glabellar-lines", [pt(20, "Corrugator")], vial=vial("bocouture"))
    f = one(with_answers(s, infection_at_sites=True), "contra.infection")
    assert "infection or inflammation" in f.message and "Bocouture" in f.message


def test_rule23_milk_protein_allergy_blocks_dysport_and_azzalure_only():
    assert with_answers(allergy_cows_milk_protein=True) == []
    for slug in ("dysport", "azzalure"):
        s = session(
            slug, "glabellar-lines", [pt(50, "Corrugator")], vial=vial(slug, units_per_ml=D(200))
        )
        assert codes(with_answers(s, allergy_cows_milk_protein=True)) >= {
            ("contra.milk_protein", BLOCK)
        }


def test_rule24_neuromuscular_cosmetic_contraindicated_product_blocks():
    s = standard_sessions()["glabellar-azzalure-50"]
    assert codes(with_answers(s, neuromuscular_disorder=True)) == {("contra.neuromuscular", BLOCK)}


@pytest.mark.parametrize(
    "s",
    [
        session(),  # therapeutic
        standard_sessions()["glabellar-botox-20"],  # cosmetic, product not contraindicated
        session("botox", "tmd-bruxism", [pt(25, "Masseter")], off_label_consent=True),
        # A product contraindicated for cosmetic use, in a non-cosmetic session.
        session("vistabel", "tmd-bruxism", [pt(25, "Masseter")], off_label_consent=True),
    ],
)
def test_rule24_neuromuscular_otherwise_specialist_override(s):
    f = one(with_answers(s, neuromuscular_disorder=True), "caution.neuromuscular")
    assert f.level == OVERRIDE and "specialist" in f.message


def test_rule25_dysphagia_warns():
    assert codes(with_answers(swallowing_or_breathing_problems=True)) == {
        ("caution.dysphagia", WARN)
    }


# Rule 26: bladder ---------------------------------------------------------------------------


def oab(**kw) -> ProposedSession:
    return replace(standard_sessions()["oab-100"], **kw)


def test_rule26_uti_blocks_and_names_the_infection():
    findings = with_answers(oab(), urinary_infection=True)
    f = one(findings, "bladder.uti")
    assert f.level == BLOCK and "urinary tract infection now" in f.message
    assert f.message.endswith("treat it (and update the screening answer) before the injection")
    assert "retention" not in f.message and not only(findings, "bladder.retention_screening")


def test_rule26_retention_blocks_unless_the_patient_performs_cic():
    # Issue 13.3: asked separately from UTI; a CIC patient is not blocked for retention.
    f = one(with_answers(oab(), urinary_retention=True), "bladder.retention_screening")
    assert f.level == BLOCK and "urinary retention" in f.message
    assert f.message.endswith(
        "self-catheterisation: intradetrusor injection is contraindicated; defer the treatment "
        "(if the patient does self-catheterise, record it on the session)"
    )
    assert not only(with_answers(oab(), urinary_retention=True), "bladder.uti")
    assert with_answers(oab(), urinary_retention=True, can_self_catheterise=True) == []
    assert with_answers(oab(performs_cic=True), urinary_retention=True) == []


def test_rule26_pvr_over_200_with_cic_from_the_questionnaire_is_not_blocked():
    assert with_answers(oab(pvr_ml=450), can_self_catheterise=True) == []
    assert one(with_answers(oab(pvr_ml=450)), "bladder.retention").level == BLOCK


def test_rule26_pvr_200_vs_201_without_cic_and_201_with_cic():
    assert run(oab(pvr_ml=200)) == []
    f = one(run(oab(pvr_ml=201)), "bladder.retention")
    assert f.level == BLOCK and "201 mL" in f.message and "200 mL" in f.message
    assert f.message.endswith(
        "intradetrusor injection is contraindicated; defer the treatment (if the patient does "
        "self-catheterise, record it on the session)"
    )
    assert "SP:bladder_pvr_max_ml" in f.source
    assert run(oab(pvr_ml=201, performs_cic=True)) == []


def test_rule26_pvr_needed_before_the_first_treatment():
    assert codes(run(oab(pvr_ml=None))) == {("bladder.pvr_missing", BLOCK)}
    assert (
        run(oab(pvr_ml=None), history(prior(200, 100, indication="oab"), pvr_recorded_before=True))
        == []
    )


def test_rule26_antibiotic_prophylaxis_required():
    assert codes(run(oab(antibiotic_prophylaxis=False))) == {("bladder.no_prophylaxis", BLOCK)}


@pytest.mark.parametrize(("stopped", "warns"), [(None, True), (2, True), (3, False), (7, False)])
def test_rule26_antiplatelet_stopped_at_least_3_days(stopped, warns):
    findings = with_answers(oab(antiplatelet_stopped_days=stopped), bleeding_risk=True)
    # One bleeding warning either way: rule 26's while the antiplatelet is not stopped
    # long enough, else rule 28's (an anticoagulant or bleeding disorder remains).
    assert codes(findings) == (
        {("bladder.antiplatelet", WARN)} if warns else {("caution.bleeding", WARN)}
    )
    if stopped == 2:
        assert (
            "antiplatelet stopped 2 days ago;" in findings[0].message
            and "at least 3 days" in findings[0].message
        )


def test_rule26_bladder_rules_only_for_bladder_sessions():
    assert (
        with_answers(
            session(antibiotic_prophylaxis=False), urinary_infection=True, urinary_retention=True
        )
        == []
    )


# Rules 27-28 --------------------------------------------------------------------------------


def test_rule27_pregnancy_cosmetic_blocks_therapeutic_overrides():
    cosmetic = standard_sessions()["glabellar-botox-20"]
    assert codes(with_answers(cosmetic, pregnant_or_breastfeeding=True)) == {
        ("contra.pregnancy", BLOCK)
    }
    assert codes(with_answers(pregnant_or_breastfeeding=True)) == {("caution.pregnancy", OVERRIDE)}


def test_rule27_pregnancy_is_asked_at_every_session_for_women_of_childbearing_age():
    """Review 04/12: a questionnaire answered 300 days before the session was read as
    today's answer on pregnancy. For a woman of childbearing age an answer from an earlier
    day asks the practitioner to ask again (a warning acknowledged at signing)."""
    old = ScreeningFacts(answered_on=DAY - timedelta(days=300), patient_sex="female")
    woman = session("botox", "glabellar-lines", [pt(20, "Glabellar", "midline")])
    woman = replace(woman, date_of_birth=born(30))
    f = one(run(woman, history(screening_facts=old)), "screening.pregnancy_not_asked_today")
    assert f.level == WARN
    assert f"{old.answered_on:%d/%m/%Y}" in f.message and "ask the patient today" in f.message
    assert "SP:childbearing_min_age_years" in f.source
    # Answered today: nothing to ask again.
    assert run(woman, history(screening_facts=replace(old, answered_on=DAY))) == []


@pytest.mark.parametrize(
    ("sex", "years", "asked"),
    [
        ("female", 12, True),  # the youngest of the range
        ("female", 55, True),  # the oldest
        ("female", 11, False),
        ("female", 56, False),
        ("not-known", 30, True),  # could be pregnant: asked
        ("indeterminate", 30, True),
        ("male", 30, False),
        ("", 30, True),  # not supplied: asked (the safe side)
    ],
)
def test_rule27_who_is_asked_again(sex, years, asked):
    old = ScreeningFacts(answered_on=DAY - timedelta(days=1), patient_sex=sex)
    s = replace(session(), date_of_birth=born(years), weight_kg=D(40), weight_measured_on=DAY)
    found = only(run(s, history(screening_facts=old)), "screening.pregnancy_not_asked_today")
    assert bool(found) is asked


def test_rule28_bleeding_and_interactions_warn():
    assert codes(with_answers(bleeding_risk=True, interacting_medicines=True)) == {
        ("caution.bleeding", WARN),
        ("caution.interactions", WARN),
    }


def test_rule28_bleeding_warns_for_a_bladder_session_once_the_antiplatelet_is_stopped():
    """Review 04/12: a patient on warfarin (screening: blood thinners) whose antiplatelet
    stop is recorded got no bleeding warning before cystoscopic injection."""
    findings = with_answers(oab(antiplatelet_stopped_days=5), bleeding_risk=True)
    bleeding = one(findings, "caution.bleeding")
    assert bleeding.level == WARN and "anticoagulants" in bleeding.message
    assert "rule 28" in bleeding.source
    assert not only(findings, "bladder.antiplatelet")
    # Not stopped: bladder.antiplatelet says it, once.
    findings = with_answers(oab(antiplatelet_stopped_days=None), bleeding_risk=True)
    assert codes(findings) == {("bladder.antiplatelet", WARN)}
