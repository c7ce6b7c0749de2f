"""The dose-safety engine's dose rules at their boundaries: rolling 84-day family totals
(rules 8-9), paediatric and adult per-session maxima (10-13), per site and muscle group
(14), blepharospasm (15), chronic migraine's PREEMPT protocol (16) and the labelled dose
(17-18). Pure: no database."""

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
    preempt_points,
    prior,
    pt,
    run,
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
from treatments.safety import PointFacts, ProposedSession


def test_rule8_400_units_in_84_days_is_allowed():
    s = session(points=[pt(50)] * 2)
    assert run(s, history(prior(60, 300, indication="cervical-dystonia"))) == []


def test_rule8_401_units_in_84_days_needs_override():
    s = session(points=[pt(50), pt(50), pt(1)])
    f = one(
        run(s, history(prior(60, 300, indication="cervical-dystonia"))), "dose.allergan_adult_84d"
    )
    assert f.level == OVERRIDE and f.source == "S107 (verify)"
    assert f.message == (
        "BOTOX family, adults, rolling 84 days: 84-day total 401 U (planned 101 U + 300 U on "
        f"1 earlier dose since {uk(60)}), above the limit of 400 U"
    )


def test_rule8_window_boundary_83_vs_84_days():
    s = session(points=[pt(50), pt(50), pt(1)])
    inside = run(s, history(prior(83, 300, indication="cervical-dystonia")))
    assert one(inside, "dose.allergan_adult_84d").level == OVERRIDE
    assert uk(83) in one(inside, "dose.allergan_adult_84d").message
    outside = run(s, history(prior(84, 300, indication="cervical-dystonia")))
    assert not only(outside, "dose.allergan_adult_84d")


def test_rule8_counts_every_allergan_product_and_indication_but_no_other_family():
    s = session(points=[pt(50), pt(50), pt(1)])
    h = history(
        prior(30, 50, "vistabel", "glabellar-lines", elsewhere=True, clinic_name="Elsewhere"),
        prior(90, 250),
        prior(20, 1000, "dysport", "cervical-dystonia"),
    )
    assert not only(run(s, h), "dose.allergan_adult_84d")  # 101 + 50 = 151
    h2 = history(prior(30, 300, "vistabel", "glabellar-lines"), prior(20, 1000, "dysport"))
    f = one(run(s, h2), "dose.allergan_adult_84d")
    assert "401 U" in f.message


def test_rule8_unknown_prior_units_count_zero_and_warn_once():
    s = session("botox", "blepharospasm", [pt(10, "Orbicularis oculi", "left")])
    h = history(
        prior(40, None, indication="blepharospasm"), prior(20, None, indication="blepharospasm")
    )
    findings = run(s, h)
    f = one(findings, "history.unknown_dose")  # two window limits apply, one finding
    assert f.level == WARN and uk(40) in f.message and uk(20) in f.message
    assert f.message.startswith("2 earlier doses with unknown units counted as 0 U in the")
    assert not only(findings, "dose.allergan_adult_84d")


def test_rule8_prior_dose_on_the_session_date_counts():
    s = session(points=[pt(50)] * 2 + [pt(1)])
    f = one(run(s, history(prior(0, 300, indication="glabellar-lines"))), "dose.allergan_adult_84d")
    assert "401 U" in f.message


def test_rule8_limit_applies_to_adults_only_and_rule9_to_children():
    points = [pt(50)] * 8 + [pt(1)]  # 401 U
    adult = run(session(points=points, date_of_birth=born(18)))
    assert codes(adult) == {("dose.allergan_adult_84d", OVERRIDE)}
    child = run(
        session(
            points=points,
            date_of_birth=born(18, 1),
            weight_kg=D(60),
            weight_measured_on=DAY,
            off_label_consent=True,
        )
    )
    assert not only(child, "dose.allergan_adult_84d")
    f = one(child, "dose.allergan_child_84d")
    assert "above the limit of 340 U (lower of 340 U and 10 U/kg x 60 kg = 600 U)" in f.message


def test_rule9_child_84_day_per_kg_boundary():
    # 30 kg: lower of 10 U/kg x 30 = 300 U and 340 U is 300 U; the session limit is
    # lower of 6 U/kg x 30 = 180 U and 200 U (not reached here, product xeomin-free).
    h = history(prior(50, 150, indication="spasticity-paed-ul"))
    ok = run(child_session(30, 150, "botox", "cervical-dystonia"), h)
    assert not only(ok, "dose.allergan_child_84d")
    over = run(child_session(30, "150.5", "botox", "cervical-dystonia"), h)
    f = one(over, "dose.allergan_child_84d")
    assert (
        "300.5 U" in f.message and "300 U (lower of 340 U and 10 U/kg x 30 kg = 300 U)" in f.message
    )


def test_rule9_child_weight_measured_90_days_ago_is_valid_91_is_stale():
    s = child_session(20, 60, weight_measured_on=DAY - timedelta(days=90))
    assert not only(run(s), "weight.stale")
    s = child_session(20, 60, weight_measured_on=DAY - timedelta(days=91))
    f = one(run(s), "weight.stale")
    assert f.level == BLOCK and "91 days" in f.message and "90 days" in f.message
    assert "SP:child_weight_valid_days" in f.source


def test_rule9_child_without_weight_blocks_twice_and_adult_needs_none():
    findings = run(child_session(None, 60))
    assert one(findings, "weight.stale").level == BLOCK
    f = one(findings, "weight.missing")
    assert f.level == BLOCK and f.message.startswith("Weight needed for per-kg limits")
    assert "BOTOX paediatric upper limb" in f.message and "children, rolling 84 days" in f.message
    undated = run(child_session(20, 60, weight_measured_on=None))
    assert "no measurement date" in one(undated, "weight.stale").message
    assert run(session(weight_kg=None)) == []


# Rules 10-11: paediatric per-session maxima (lower of per-kg and absolute) ------------------


def test_rule10_botox_paediatric_upper_limb_exactly_6_units_per_kg_is_fine():
    assert run(child_session(10, 60)) == []


def test_rule10_lower_of_6_u_per_kg_and_200_u_for_a_10_kg_child():
    f = one(run(child_session(10, 61)), "dose.botox_paed_ul")
    assert f.level == OVERRIDE and f.source == "S15"
    assert "61 U" in f.message
    assert "60 U (lower of 200 U and 6 U/kg x 10 kg = 60 U)" in f.message


def test_rule10_absolute_cap_for_a_heavy_child():
    assert not only(run(child_session(50, 200)), "dose.botox_paed_ul")
    f = one(run(child_session(50, 201)), "dose.botox_paed_ul")
    assert "200 U (lower of 200 U and 6 U/kg x 50 kg = 300 U)" in f.message


def test_rule10_absolute_cap_still_checked_without_weight():
    findings = run(child_session(None, 201))
    assert one(findings, "dose.botox_paed_ul").level == OVERRIDE
    assert one(findings, "weight.missing").level == BLOCK


def test_rule11_dysport_unilateral_upper_limb_16_u_per_kg():
    base = {"vial": vial("dysport", units_per_ml=D(200))}
    assert not only(
        run(child_session(20, 320, "dysport", **base)), "dose.dysport_paed_ul_unilateral"
    )
    f = one(run(child_session(20, 321, "dysport", **base)), "dose.dysport_paed_ul_unilateral")
    assert "320 U (lower of 640 U and 16 U/kg x 20 kg = 320 U)" in f.message


def test_rule11_dysport_bilateral_upper_limb_21_u_per_kg():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    both = [pt(210, "Biceps", "left"), pt(211, "Biceps", "right")]
    findings = run(child_session(20, 0, "dysport", points=both, **kw))
    assert not only(findings, "dose.dysport_paed_ul_unilateral")  # both sides: not unilateral
    f = one(findings, "dose.dysport_paed_ul_bilateral")
    assert "421 U" in f.message and "21 U/kg x 20 kg = 420 U" in f.message
    ok = [pt(210, "Biceps", "left"), pt(210, "Biceps", "right")]
    assert not only(
        run(child_session(20, 0, "dysport", points=ok, **kw)), "dose.dysport_paed_ul_bilateral"
    )


def test_rule11_a_bilateral_point_makes_the_session_bilateral_and_midline_is_ignored():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    bilateral = run(child_session(20, 0, "dysport", points=[pt(421, "Biceps", "bilateral")], **kw))
    assert codes(bilateral) >= {("dose.dysport_paed_ul_bilateral", OVERRIDE)}
    unilateral = [pt(300, "Biceps", "left"), pt(21, "Trunk", "midline")]
    findings = run(child_session(20, 0, "dysport", points=unilateral, **kw))
    assert only(findings, "dose.dysport_paed_ul_unilateral")
    assert not only(findings, "dose.dysport_paed_ul_bilateral")


def test_rule11_dysport_paediatric_session_lower_of_30_u_per_kg_and_1000_u():
    kw = {"vial": vial("dysport", units_per_ml=D(500))}
    points = [pt(300, "Gastrocnemius", "left"), pt(300, "Gastrocnemius", "right")]
    ok = run(child_session(20, 0, "dysport", "cervical-dystonia", points=points, **kw))
    assert not only(ok, "dose.dysport_paed_session")
    points[1] = pt(301, "Gastrocnemius", "right")
    over = run(child_session(20, 0, "dysport", "cervical-dystonia", points=points, **kw))
    assert (
        "600 U (lower of 1000 U and 30 U/kg x 20 kg = 600 U)"
        in one(over, "dose.dysport_paed_session").message
    )


def test_rule11_dysport_paediatric_half_ml_per_site():
    kw = {"vial": vial("dysport", units_per_ml=D(200))}
    ok = [pt(100, volume="0.5"), pt(200, "Triceps", volume="1.0", points=2)]
    assert not only(
        run(child_session(30, 0, "dysport", points=ok, **kw)), "dose.dysport_paed_site_ml"
    )
    over = [pt(120, volume="0.6")]
    f = one(run(child_session(30, 0, "dysport", points=over, **kw)), "dose.dysport_paed_site_ml")
    assert f.level == WARN and "0.6 mL" in f.message and "0.5 mL" in f.message
    # Adults: the paediatric volume limit does not apply.
    adult = session(
        "dysport",
        "cervical-dystonia",
        [pt(300, volume="0.6")],
        vial=vial("dysport", units_per_ml=D(500)),
    )
    assert not only(run(adult), "dose.dysport_paed_site_ml")


# Rules 12-13: adult per-session maxima ------------------------------------------------------


def test_rule12_dysport_adult_upper_limb_1000_vs_1001():
    kw = {"vial": vial("dysport", units_per_ml=D(500))}
    assert run(session("dysport", points=[pt(500), pt(500, "Triceps")], **kw)) == []
    f = one(
        run(session("dysport", points=[pt(500), pt(501, "Triceps")], **kw)), "dose.dysport_adult_ul"
    )
    assert f.level == OVERRIDE and "session total 1001 U" in f.message and "1000 U" in f.message


def test_rule13_xeomin_400_vs_401_per_session():
    kw = {"vial": vial("xeomin")}
    assert run(session("xeomin", points=[pt(200), pt(200, "Triceps")], **kw)) == []
    f = one(
        run(session("xeomin", points=[pt(200), pt(201, "Triceps")], **kw)), "dose.xeomin_session"
    )
    assert "401 U" in f.message


# Rule 14: per site, muscle group, strabismus ------------------------------------------------


def test_rule14_botox_50_units_per_site_is_fine_51_warns():
    assert run(session(points=[pt(50)])) == []
    f = one(run(session(points=[pt(51)])), "dose.botox_site")
    assert f.level == WARN and "Biceps (left) 51 U per point" in f.message
    # 100 U over two needle points is 50 U per point.
    assert run(session(points=[pt(100, points=2)])) == []
    # A BOTOX-only row does not apply to Vistabel, though it is the same unit family.
    vistabel = session("vistabel", points=[pt(51)], vial=vial("vistabel"), off_label_consent=True)
    assert run(vistabel) == []


def test_rule14_sternocleidomastoid_total_case_insensitive():
    ok = [pt(60, "Sternocleidomastoid", "left"), pt(40, "sternocleidomastoid", "right")]
    assert not only(run(session("botox", "cervical-dystonia", ok)), "dose.botox_scm")
    over = [
        pt(50, "Sternocleidomastoid", "left"),
        pt(50, "Sternocleidomastoid", "right"),
        pt(1, "STERNOCLEIDOMASTOID", "left"),
    ]
    f = one(run(session("botox", "cervical-dystonia", over)), "dose.botox_scm")
    assert f.level == WARN and "Sternocleidomastoid total 101 U" in f.message
    # Not cervical dystonia: the SCM limit does not apply.
    assert not only(run(session("botox", "spasticity-ul-adult", over)), "dose.botox_scm")


def test_rule14_strabismus_25_units_per_injection_blocks_above():
    kw = {"off_label_consent": True}
    assert run(session("botox", "strabismus", [pt(25, "Medial rectus")], **kw)) == []
    f = one(
        run(session("botox", "strabismus", [pt(26, "Medial rectus")], **kw)),
        "dose.botox_strabismus",
    )
    assert f.level == BLOCK and f.source == "S18"


# Rule 15: blepharospasm ---------------------------------------------------------------------


def eyes(left, right) -> list[PointFacts]:
    return [pt(left, "Orbicularis oculi", "left"), pt(right, "Orbicularis oculi", "right")]


def test_rule15_first_treatment_25_units_per_eye():
    assert run(session("botox", "blepharospasm", eyes(25, 25))) == []
    f = one(run(session("botox", "blepharospasm", eyes(26, 25))), "dose.botox_bleph_initial_eye")
    assert f.level == OVERRIDE and "left side total 26 U" in f.message


def test_rule15_first_treatment_limit_lifts_after_a_same_family_treatment():
    s = session("botox", "blepharospasm", eyes(30, 30))
    assert not only(
        run(s, history(prior(200, 40, indication="blepharospasm"))), "dose.botox_bleph_initial_eye"
    )
    # A Xeomin treatment (another family) or BOTOX for another indication does not count.
    other_family = history(prior(200, 40, "xeomin", "blepharospasm"))
    assert len(only(run(s, other_family), "dose.botox_bleph_initial_eye")) == 2
    other_indication = history(prior(200, 40, indication="glabellar-lines"))
    assert len(only(run(s, other_indication), "dose.botox_bleph_initial_eye")) == 2


def test_rule15_bilateral_point_is_split_between_the_eyes():
    ok = [pt(50, "Orbicularis oculi", "bilateral", points=8)]
    assert run(session("botox", "blepharospasm", ok)) == []
    over = [pt(52, "Orbicularis oculi", "bilateral", points=8)]
    assert (
        len(only(run(session("botox", "blepharospasm", over)), "dose.botox_bleph_initial_eye")) == 2
    )


def test_rule15_100_units_per_12_weeks_counts_this_indication_only():
    s = session("botox", "blepharospasm", eyes(10, 11))
    h = history(
        prior(85, 80, indication="blepharospasm"), prior(60, 80, indication="blepharospasm")
    )
    f = one(run(s, h), "dose.botox_bleph_84d")
    assert "101 U" in f.message and "+ 80 U on 1 earlier dose since" in f.message
    h2 = history(
        prior(120, 40, indication="blepharospasm"), prior(60, 80, indication="glabellar-lines")
    )
    assert not only(run(s, h2), "dose.botox_bleph_84d")


# Rule 16: chronic migraine (PREEMPT) --------------------------------------------------------


def migraine(points) -> ProposedSession:
    return session("botox", "chronic-migraine", points)


def test_rule16_total_below_155_and_above_195():
    points = preempt_points()
    points[10] = pt(4, "Temporalis", "left", volume="0.08")  # 154 U
    f = one(run(migraine(points)), "protocol.total_outside")
    assert f.level == WARN and "154 U" in f.message and "155-195 U" in f.message
    assert f.source == "DOMAIN §10 rule 16; S7"
    more = [*preempt_points(), *[pt(5, "Temporalis", "left", volume="0.1")] * 2]
    more += [pt(5, "Occipitalis", "right", volume="0.1")] * 2 + [
        pt(5, "Trapezius", "left", volume="0.1")
    ] * 4
    assert sum(p.units for p in more) == 195
    assert run(migraine(more)) == []  # 195 U over 39 sites: the follow-the-pain maximum
    over = [*more, pt(1, "Trapezius", "right")]
    assert "196 U" in one(run(migraine(over)), "protocol.total_outside").message


def test_rule16_sites_outside_31_to_39():
    points = preempt_points()
    points[12] = pt(10, "Temporalis", "left", volume="0.2")
    points.pop(13)  # same 155 U over 30 sites
    f = one(run(migraine(points)), "protocol.sites_outside")
    assert f.message == "30 injection sites planned: outside the PREEMPT range of 31-39 sites"
    assert not only(run(migraine(points)), "protocol.total_outside")


def test_rule16_group_maximum():
    ok = [*preempt_points(), pt(10, "Temporalis", "right", volume="0.2", points=2)]  # 50 U
    assert not only(run(migraine(ok)), "protocol.group_over_max")
    over = [*preempt_points(), pt(15, "Temporalis", "right", volume="0.3", points=3)]  # 55 U
    f = one(run(migraine(over)), "protocol.group_over_max")
    assert "Temporalis: 55 U" in f.message and "maximum of 50 U" in f.message


def test_rule16_fixed_group_changed_or_missing():
    points = preempt_points()
    points[0] = pt(10, "Corrugator", "left", volume="0.2")  # corrugator 15 U
    f = one(run(migraine(points)), "protocol.fixed_group_changed")
    assert f.level == WARN and "Corrugator: 15 U" in f.message and "fixed dose of 10 U" in f.message
    without_procerus = [p for p in preempt_points() if p.muscle_group != "Procerus"]
    findings = run(migraine(without_procerus))
    assert "Procerus: 0 U" in one(findings, "protocol.fixed_group_changed").message


def test_rule16_only_for_chronic_migraine_and_the_protocol_family():
    points = preempt_points()[:5]
    assert not [
        f
        for f in run(session("botox", "cervical-dystonia", points))
        if f.code.startswith("protocol.")
    ]
    dysport = session(
        "dysport",
        "chronic-migraine",
        [pt(100, "Temporalis")],
        vial=vial("dysport", units_per_ml=D(100)),
        off_label_consent=True,
    )
    # Speywood units are never compared with the PREEMPT doses; the use is off-label.
    assert codes(run(dysport)) == {("protocol.off_label_product", WARN)}
    assert (
        one(run(replace(dysport, off_label_consent=False)), "licence.off_label_consent").level
        == BLOCK
    )


def test_rule16_any_product_other_than_botox_for_chronic_migraine_warns_off_label():
    # Issue 13.2: a WARN (acknowledged at signing) even with the off-label consent recorded.
    xeomin = session(
        "xeomin",
        "chronic-migraine",
        preempt_points(),
        vial=vial("xeomin"),
        off_label_consent=True,
    )
    f = one(run(xeomin), "protocol.off_label_product")
    assert f.level == WARN and f.message.startswith("Off-label: Xeomin is not licensed for")
    assert "Chronic migraine prophylaxis" in f.message
    assert not only(
        run(session("botox", "chronic-migraine", preempt_points())), "protocol.off_label_product"
    )


# Rules 17-18: labelled dose -----------------------------------------------------------------


def test_rule17_oab_dose_other_than_100_units_warns():
    s = standard_sessions()["oab-100"]
    fewer = replace(s, points=s.points[:19])
    f = one(run(fewer), "dose.outside_label_dose")
    assert f.level == WARN and "95 U" in f.message and ": 100 U" in f.message
    assert f.source == "DOMAIN §10 rules 17-18; S19b"


@pytest.mark.parametrize(
    ("units", "warns"), [(249, True), (250, False), (1000, False), (1001, True)]
)
def test_rule18_labelled_range_is_inclusive(units, warns):
    s = session(
        "dysport",
        "cervical-dystonia",
        [pt(units, "Splenius capitis", "right")],
        vial=vial("dysport", units_per_ml=D(500)),
    )
    found = only(run(s), "dose.outside_label_dose")
    assert bool(found) is warns
    if warns:
        assert "250-1000 U" in found[0].message


def test_rule18_cosmetic_standard_dose():
    s = session("botox", "glabellar-lines", [pt(24, "Corrugator", "bilateral", points=4)])
    f = one(run(s), "dose.outside_label_dose")
    assert "24 U" in f.message and "Glabellar lines: 20 U" in f.message
