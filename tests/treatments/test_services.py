"""Vials, sessions and signing as the services enforce them, on the seeded reference data."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from treatments import safety, selectors, services
from treatments.choices import SessionStatus
from treatments.models import (
    AnatomicalSite,
    DoseLimit,
    FollowUp,
    Indication,
    Product,
    SessionFinding,
    SiteTemplate,
)

pytestmark = pytest.mark.django_db

CONFIRMED = {"screening_reviewed": True, "consent_taken": True, "spread_advice_given": True}


def product(slug):
    return Product.objects.get(slug=slug)


def indication(slug):
    return Indication.objects.get(slug=slug)


def site(slug_part):
    return AnatomicalSite.objects.filter(slug__contains=slug_part).order_by("id").first()


@pytest.fixture
def ready_patient(practitioner):
    patient = PatientFactory()
    # Answered before any session in these tests (screening is read as of the session date).
    QuestionnaireFactory(
        patient=patient,
        entered_by=practitioner,
        completed_on=timezone.localdate() - timedelta(days=120),
    )
    # Seen face to face by a prescriber before any cosmetic treatment (rule 34).
    PrescriberAssessmentFactory(patient=patient, prescriber=practitioner)
    return patient


def start(patient, practitioner, indication_slug, product_slug, *, vial=True):
    ind, prod = indication(indication_slug), product(product_slug)
    if vial:
        VialFactory(
            product=prod,
            presentation_units=max(prod.presentations or [100]),
            received_by=practitioner,
        )
    template = selectors.site_template_for(indication=ind, product=prod)
    return services.session_start(
        patient=patient, practitioner=practitioner, indication=ind, product=prod, template=template
    )


def save(session, practitioner, points=None, **fields):
    if points is None:
        points = [
            {
                "site": p.site,
                "side": p.side,
                "units": p.units,
                "volume_ml": p.volume_ml,
                "points": p.points,
            }
            for p in selectors.session_points(session=session)
        ]
    return services.session_save_draft(
        session=session,
        saved_by=practitioner,
        expected_version=session.version,
        fields=CONFIRMED | fields,
        points=points,
    )


class TestVials:
    def test_reconstitution_sets_dilution_and_use_by(self, practitioner):
        vial = services.vial_receive(
            product=product("botox"),
            presentation_units=100,
            lot="c1234c3",
            expiry=timezone.localdate() + timedelta(days=300),
            received_by=practitioner,
            supplier="Alliance Healthcare",
            delivery_note="DN1",
        )
        assert vial.lot == "C1234C3"
        at = timezone.now()
        vial = services.vial_reconstitute(
            vial=vial, diluent_ml=Decimal("2"), reconstituted_by=practitioner, at=at
        )
        assert vial.units_per_0_1_ml == Decimal("5.00")
        assert vial.use_by == at + timedelta(hours=24)
        with pytest.raises(ValidationError, match="already reconstituted"):
            services.vial_reconstitute(
                vial=vial, diluent_ml=Decimal("2"), reconstituted_by=practitioner
            )

    def test_expiry_must_follow_receipt(self, practitioner):
        with pytest.raises(ValidationError):
            services.vial_receive(
                product=product("botox"),
                presentation_units=100,
                lot="X1",
                expiry=timezone.localdate() - timedelta(days=1),
                received_by=practitioner,
                supplier="Alliance Healthcare",
                delivery_note="DN1",
            )

    def test_discard_reconciles_drawn_and_wasted(self, practitioner, ready_patient):
        session = start(ready_patient, practitioner, "chronic-migraine", "botox")
        session = save(session, practitioner)  # 155 U from the PREEMPT template
        vial = session.vial
        vial.presentation_units = 200
        vial.save()
        with pytest.raises(ValidationError, match="between 0 and the 45"):
            services.vial_discard(
                vial=vial,
                reason="End of session",
                wasted_units=Decimal(46),
                discarded_by=practitioner,
            )
        services.vial_discard(
            vial=vial, reason="End of session", wasted_units=Decimal(45), discarded_by=practitioner
        )
        listed = selectors.vial_list().get(pk=vial.pk)
        assert listed.drawn_units + listed.wasted_units == listed.presentation_units

    def test_usable_vials(self, practitioner):
        botox = product("botox")
        patient, other = PatientFactory(), PatientFactory()
        good = VialFactory(product=botox, received_by=practitioner)
        VialFactory(
            product=botox,
            received_by=practitioner,
            received_on=timezone.localdate() - timedelta(days=400),
            expiry=timezone.localdate() - timedelta(days=1),
        )  # expired
        VialFactory(
            product=botox,
            received_by=practitioner,
            reconstituted_at=timezone.now() - timedelta(hours=25),
        )  # past use-by
        VialFactory(
            product=botox,
            received_by=practitioner,
            reconstituted_at=None,
            diluent_ml=None,
            use_by=None,
        )  # not reconstituted
        used = VialFactory(product=botox, received_by=practitioner)
        draft = TreatmentSessionFactory(patient=other, vial=used, practitioner=practitioner)
        assert selectors.vial_list_usable(product=botox, patient=patient) == [good]
        # The other patient's draft may still use it, until that session is signed.
        assert used in selectors.vial_list_usable(product=botox, patient=other)
        draft.status, draft.signed_at = "signed", timezone.now()
        draft.save()
        assert used not in selectors.vial_list_usable(product=botox, patient=other)


class TestSigning:
    def test_preempt_from_template(self, practitioner, ready_patient):
        session = start(ready_patient, practitioner, "chronic-migraine", "botox")
        points = selectors.session_points(session=session)
        assert len(points) == 31
        assert sum(p.units for p in points) == 155
        assert session.vial is not None  # the only usable vial is chosen

    def test_blocks_refuse_signing(self, practitioner, ready_patient):
        session = start(ready_patient, practitioner, "chronic-migraine", "botox")
        with pytest.raises(services.SigningRefused) as refused:
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=True,
            )
        codes = {f.code for f in refused.value.blocks}
        assert {"consent.missing", "screening.not_reviewed", "advice.spread_not_given"} <= codes
        session.refresh_from_db()
        assert not session.is_signed

    def test_override_needs_reason_and_is_recorded(self, practitioner, ready_patient):
        earlier = start(ready_patient, practitioner, "chronic-migraine", "botox")
        earlier = save(earlier, practitioner)
        earlier.performed_at = timezone.now() - timedelta(days=56)
        earlier.save()
        services.session_sign(
            session=earlier, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
        session = save(
            start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner
        )
        with pytest.raises(services.SigningRefused) as refused:
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=True,
            )
        assert [f.code for f in refused.value.missing_reasons] == ["interval.too_soon"]
        assert "12 weeks" in refused.value.missing_reasons[0].message
        services.session_sign(
            session=session,
            signed_by=practitioner,
            override_reasons={"interval.too_soon": "Breakthrough migraine"},
            acknowledge_warnings=True,
        )
        finding = SessionFinding.objects.get(session=session, code="interval.too_soon")
        assert finding.override_reason == "Breakthrough migraine"
        assert finding.recorded_by == practitioner

    def test_pregnancy_answered_on_an_earlier_day_is_asked_again_at_signing(self, practitioner):
        """Review 04/12, rule 27: a 30-year-old woman's 300-day-old "not pregnant" was read
        as today's answer. Signing now shows the question to ask, acknowledged and kept."""
        today = timezone.localdate()
        patient = PatientFactory(
            sex="female", date_of_birth=today.replace(year=today.year - 30) - timedelta(days=1)
        )
        QuestionnaireFactory(
            patient=patient, entered_by=practitioner, completed_on=today - timedelta(days=300)
        )
        session = save(start(patient, practitioner, "chronic-migraine", "botox"), practitioner)
        with pytest.raises(services.SigningRefused) as refused:
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=False,
            )
        asked = [f for f in refused.value.unacknowledged if f.code.startswith("screening.")]
        assert [f.code for f in asked] == ["screening.pregnancy_not_asked_today"]
        assert f"{today - timedelta(days=300):%d/%m/%Y}" in asked[0].message
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
        finding = SessionFinding.objects.get(
            session=session, code="screening.pregnancy_not_asked_today"
        )
        assert finding.level == "warn" and finding.recorded_by == practitioner

    def test_warnings_must_be_acknowledged(self, practitioner):
        patient = PatientFactory()
        QuestionnaireFactory(patient=patient, entered_by=practitioner, bleeding_risk=True)
        session = save(start(patient, practitioner, "chronic-migraine", "botox"), practitioner)
        with pytest.raises(services.SigningRefused) as refused:
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=False,
            )
        assert "caution.bleeding" in {f.code for f in refused.value.unacknowledged}
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
        assert SessionFinding.objects.filter(session=session, code="caution.bleeding").exists()

    def test_signed_session_is_immutable_and_amended_by_addendum(self, practitioner, ready_patient):
        session = save(
            start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner
        )
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
        with pytest.raises(services.SessionLocked):
            save(session, practitioner, notes="changed")
        with pytest.raises(services.SessionLocked):
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=True,
            )
        services.session_add_addendum(
            session=session,
            author=practitioner,
            reason="Wrong side",
            text="Point 3 was right, not left",
        )
        session.refresh_from_db()
        assert session.addenda.count() == 1 and session.is_signed

    def test_only_the_treating_practitioner_signs(self, practitioner, ready_patient):
        from tests.factories import UserFactory

        session = save(
            start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner
        )
        with pytest.raises(ValidationError, match="treating practitioner"):
            services.session_sign(
                session=session,
                signed_by=UserFactory(),
                override_reasons={},
                acknowledge_warnings=True,
            )

    def test_expired_vial_refused_at_signing(self, practitioner, ready_patient):
        session = save(
            start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner
        )
        vial = session.vial
        vial.received_on = timezone.localdate() - timedelta(days=400)
        vial.expiry = timezone.localdate() - timedelta(days=1)
        vial.save()
        with pytest.raises(services.SigningRefused) as refused:
            services.session_sign(
                session=session,
                signed_by=practitioner,
                override_reasons={},
                acknowledge_warnings=True,
            )
        assert "vial.expired" in {f.code for f in refused.value.blocks}

    def test_bladder_session_creates_review_task(self, practitioner, ready_patient):
        session = start(ready_patient, practitioner, "oab", "botox")
        session = save(session, practitioner, pvr_ml=50, antibiotic_prophylaxis=True)
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
        kinds = set(FollowUp.objects.filter(session=session).values_list("kind", flat=True))
        # The bladder review is the 2-week side-effect review for intradetrusor injection;
        # OAB has outcome measures, so an outcome entry is due before the next treatment.
        assert kinds == {"bladder-review", "review-call", "outcome-due"}
        review = FollowUp.objects.get(session=session, kind="bladder-review")
        assert review.due_on == timezone.localdate(session.performed_at) + timedelta(days=14)

    def test_rule_made_task_titles_end_on_the_indication(self, practitioner, ready_patient):
        # "Side-effect review after Upper limb spasticity, adult treatment" read as a list.
        from treatments.models import Indication, Product, TreatmentSession

        session = TreatmentSession(
            patient=ready_patient,
            practitioner=practitioner,
            indication=Indication.objects.get(slug="spasticity-ul-adult"),
            product=Product.objects.get(slug="botox"),
            performed_at=timezone.now(),
        )
        tasks = services.rule_follow_ups(
            session,
            parameters={"side_effect_review_days": 14, "first_treatment_review_days": 10},
            guideline=None,
            has_outcomes=True,
            first_here=True,
            user=practitioner,
        )
        assert [(t.kind, t.title, (t.due_on - timezone.localdate()).days) for t in tasks] == [
            (
                "side-effect-review",
                "Side-effect review after treatment for Upper limb spasticity, adult",
                14,
            ),
            (
                "outcome-due",
                "Outcome scores before the next treatment for Upper limb spasticity, adult",
                session.indication.min_interval_days,
            ),
            ("review-call", "Review call after first BOTOX treatment", 10),
        ]
        with pytest.raises(safety.MissingParameterError):
            services.rule_follow_ups(
                session,
                parameters={},
                guideline=None,
                has_outcomes=False,
                first_here=False,
                user=practitioner,
            )


STANDARD_PROTOCOLS = [
    # indication, product, template (None: points given below), extra session fields
    ("chronic-migraine", "botox", {}),
    ("oab", "botox", {"pvr_ml": 40, "antibiotic_prophylaxis": True}),
    ("hyperhidrosis-axillary", "botox", {}),
    ("glabellar-lines", "botox", {}),
    ("glabellar-lines", "azzalure", {}),
]


@pytest.mark.parametrize(("indication_slug", "product_slug", "fields"), STANDARD_PROTOCOLS)
def test_standard_licensed_protocols_raise_no_block_or_override(
    practitioner, ready_patient, indication_slug, product_slug, fields
):
    session = save(
        start(ready_patient, practitioner, indication_slug, product_slug), practitioner, **fields
    )
    assert SiteTemplate.objects.filter(indication__slug=indication_slug).exists()
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    serious = [f for f in findings if f.level in (safety.Level.BLOCK, safety.Level.OVERRIDE)]
    assert serious == [], serious


def test_cervical_dystonia_dysport_500_raises_no_block_or_override(practitioner, ready_patient):
    session = start(ready_patient, practitioner, "cervical-dystonia", "dysport")
    points = [
        {
            "site": site("sternocleidomastoid"),
            "side": "left",
            "units": Decimal(150),
            "volume_ml": Decimal("0.3"),
            "points": 2,
        },
        {
            "site": site("splenius"),
            "side": "right",
            "units": Decimal(250),
            "volume_ml": Decimal("0.5"),
            "points": 3,
        },
        {
            "site": site("trapezius"),
            "side": "right",
            "units": Decimal(100),
            "volume_ml": Decimal("0.2"),
            "points": 2,
        },
    ]
    session = save(session, practitioner, points=points)
    findings = selectors.safety_inputs_for_session(session=session).evaluate()
    serious = [f for f in findings if f.level in (safety.Level.BLOCK, safety.Level.OVERRIDE)]
    assert serious == [], serious


def test_units_never_add_across_families_in_the_timeline(practitioner, ready_patient):
    botox = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    services.session_sign(
        session=botox, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    timeline = selectors.patient_timeline(patient=ready_patient)
    assert timeline.cumulative_84d == [("Allergan (onabotulinumtoxinA)", Decimal(155))]
    (eligibility,) = timeline.eligibility
    assert eligibility.next_eligible_on == timezone.localdate(botox.performed_at) + timedelta(
        days=84
    )


def test_the_timeline_totals_follow_the_reference_window(practitioner, patient):
    """Review 04/12: the timeline's cumulative totals counted 84 days from a literal; they
    follow rules 8-9's cumulative DoseLimit window (reference data), counted as the engine
    counts it (0..window-1 days ago)."""
    botox = product("botox")
    today = timezone.localdate()
    for days_ago, units in ((0, 10), (29, 20), (30, 40), (83, 80), (84, 160)):
        when = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(12)))
        session = TreatmentSessionFactory(
            patient=patient,
            practitioner=practitioner,
            indication=indication("cervical-dystonia"),
            product=botox,
            status=SessionStatus.SIGNED,
            performed_at=when,
            signed_at=when,
        )
        InjectionPointFactory(session=session, units=Decimal(units))
    family = "Allergan (onabotulinumtoxinA)"
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert timeline.cumulative_84d == [(family, Decimal(150))]
    assert timeline.cumulative_window_days == 84
    cumulative = DoseLimit.objects.filter(
        scope="window", product__isnull=True, indication__isnull=True
    )
    assert cumulative.count() == 2  # rules 8 and 9 (adult, child)
    cumulative.update(window_days=30)
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert timeline.cumulative_84d == [(family, Decimal(30))]
    assert timeline.cumulative_window_days == 30
    cumulative.delete()  # no cumulative limit in the reference data: no totals, no guess
    timeline = selectors.patient_timeline(patient=patient, today=today)
    assert (timeline.cumulative_window_days, timeline.cumulative_84d) == (None, [])


def test_preempt_needs_two_100_unit_vials_and_both_reconcile(practitioner, ready_patient):
    botox = product("botox")
    first = VialFactory(product=botox, presentation_units=100, received_by=practitioner)
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.vial == first
    session = save(session, practitioner)
    with pytest.raises(services.SigningRefused) as refused:
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    (block,) = refused.value.blocks
    assert block.code == "vial.insufficient"
    assert "155 U planned" in block.message and "100 U" in block.message

    second = VialFactory(product=botox, presentation_units=100, received_by=practitioner)
    session = save(session, practitioner, further_vials=[second])
    services.session_sign(
        session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
    )
    draws = {d.vial_id: d.units for d in session.draws.all()}
    assert draws == {first.pk: Decimal(100), second.pk: Decimal(55)}
    services.vial_discard(
        vial=first, reason="Empty", wasted_units=Decimal(0), discarded_by=practitioner
    )
    services.vial_discard(
        vial=second, reason="End of session", wasted_units=Decimal(45), discarded_by=practitioner
    )
    for vial in selectors.vial_list().filter(pk__in=[first.pk, second.pk]):
        assert vial.drawn_units + vial.wasted_units == vial.presentation_units
    # Both lots lead back to the patient for a recall.
    assert selectors.lot_exposure(lot=second.lot)[0].patient == ready_patient
    assert selectors.lot_exposure(lot=first.lot)[0].total_units == 100


def test_screening_is_read_as_of_the_session_date(practitioner, ready_patient):
    """A session dated before the latest answers is checked against the answers that stood
    on its day, not later ones."""
    session = save(start(ready_patient, practitioner, "chronic-migraine", "botox"), practitioner)
    QuestionnaireFactory(
        patient=ready_patient,
        entered_by=practitioner,
        bleeding_risk=True,
        completed_on=timezone.localdate() + timedelta(days=1),
    )
    codes = {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}
    assert "caution.bleeding" not in codes


def test_vial_with_unknown_in_use_time_is_usable_on_its_day_only(practitioner):
    bocouture = product("bocouture")
    assert bocouture.in_use_hours is None
    patient = PatientFactory()
    today_vial = VialFactory(
        product=bocouture,
        presentation_units=50,
        use_by=None,
        received_by=practitioner,
        reconstituted_at=timezone.now(),
    )
    VialFactory(
        product=bocouture,
        presentation_units=50,
        use_by=None,
        received_by=practitioner,
        reconstituted_at=timezone.now() - timedelta(days=1, hours=1),
    )
    assert selectors.vial_list_usable(product=bocouture, patient=patient) == [today_vial]


def test_signing_refuses_a_bocouture_vial_reconstituted_days_ago(practitioner):
    """Review 04/12 (rule 4): Bocouture's in-use time is not in the reference data, and a
    10-day-old reconstituted vial drew no finding; the engine now reads an unknown in-use
    time as the vial picker does (the day of reconstitution only)."""
    bocouture = product("bocouture")
    assert bocouture.in_use_hours is None  # DOMAIN §11: "verify", no figure
    patient = PatientFactory()
    QuestionnaireFactory(patient=patient)
    PrescriberAssessmentFactory(patient=patient)

    def draft(reconstituted_at):
        vial = VialFactory(
            product=bocouture,
            presentation_units=50,
            received_by=practitioner,
            reconstituted_at=reconstituted_at,
            use_by=None,
        )
        session = TreatmentSessionFactory(
            patient=patient,
            indication=indication("glabellar-lines"),
            product=bocouture,
            vial=vial,
            **CONFIRMED,
        )
        return {f.code for f in selectors.safety_inputs_for_session(session=session).evaluate()}

    assert "vial.over_age" in draft(timezone.now() - timedelta(days=10))
    assert "vial.over_age" not in draft(timezone.now())


def test_vial_past_use_by_says_so(practitioner):
    vial = VialFactory(
        received_by=practitioner,
        reconstituted_at=timezone.now() - timedelta(hours=25),
        use_by=timezone.now() - timedelta(hours=1),
    )
    assert vial.is_past_use_by and vial.state_label == "Past its use-by: discard"
    fresh = VialFactory(received_by=practitioner)
    assert not fresh.is_past_use_by and fresh.state_label == "Reconstituted, in use"


def test_session_form_asks_weight_for_children_and_off_label_consent_when_off_label(
    practitioner,
):
    from treatments.forms import SessionForm

    child = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=8 * 365))
    adult = PatientFactory()
    paediatric = start(child, practitioner, "spasticity-paed-ul", "botox")
    licensed = start(adult, practitioner, "chronic-migraine", "botox")
    off_label = start(adult, practitioner, "tmd-bruxism", "botox")

    def fields(session):
        return set(
            SessionForm(instance=session, **selectors.session_form_context(session=session)).fields
        )

    assert {"weight_kg", "weight_measured_on"} <= fields(paediatric)
    assert "weight_kg" not in fields(licensed) and "off_label_consent" not in fields(licensed)
    assert "off_label_consent" in fields(off_label)


def test_a_draft_without_a_vial_saves_and_signing_is_refused(practitioner, ready_patient):
    """No usable vial in stock: the draft saves (no vial's usage to read) and signing is
    refused with a reason, never an error."""
    session = start(ready_patient, practitioner, "chronic-migraine", "botox", vial=False)
    assert session.vial is None
    session = save(session, practitioner)
    assert not session.draws.exists()
    with pytest.raises((services.SigningRefused, ValidationError)):
        services.session_sign(
            session=session, signed_by=practitioner, override_reasons={}, acknowledge_warnings=True
        )
    session.refresh_from_db()
    assert not session.is_signed


def test_taking_the_vial_off_a_draft_deletes_its_draw(practitioner, ready_patient):
    session = start(ready_patient, practitioner, "chronic-migraine", "botox")
    session = save(session, practitioner)
    assert session.draws.count() == 1
    session = save(session, practitioner, vial=None, further_vials=[])
    assert session.vial is None
    assert not session.draws.exists()
