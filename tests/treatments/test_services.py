"""Vials, sessions and signing as the services enforce them, on the seeded reference data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    PatientFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from tests.treatments.session_helpers import backdate, product, save, start
from treatments import safety, selectors, services
from treatments.models import (
    FollowUp,
    Indication,
    Product,
    SessionFinding,
)

pytestmark = pytest.mark.django_db


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
        # The same reconstitution again (a double-click) changes nothing; another is refused.
        again = services.vial_reconstitute(
            vial=vial, diluent_ml=Decimal("2"), reconstituted_by=practitioner
        )
        assert again.replayed and again.reconstituted_at == at
        with pytest.raises(ValidationError, match="already reconstituted"):
            services.vial_reconstitute(
                vial=vial, diluent_ml=Decimal("4"), reconstituted_by=practitioner
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
        earlier = backdate(save(earlier, practitioner), timezone.now() - timedelta(days=56))
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
        from treatments.models import TreatmentSession

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
