"""Review 04/12, items on DOMAIN §10 rules 27, 29 and 31 against the seeded reference data:
every indication that is not cosmetic gets the minimum-age override, and masseter
contouring (done for a cosmetic purpose) is treated as cosmetic."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.factories import (
    InjectionPointFactory,
    PatientFactory,
    PrescriberAssessmentFactory,
    QuestionnaireFactory,
    TreatmentSessionFactory,
    VialFactory,
)
from treatments import selectors
from treatments.models import AnatomicalSite, Indication, Product
from treatments.safety.levels import Level

pytestmark = pytest.mark.django_db


def aged(years: int):
    today = timezone.localdate()
    return PatientFactory(date_of_birth=today.replace(year=today.year - years) - timedelta(days=1))


def findings(patient, indication: str, site: str, **kw):
    botox = Product.objects.get(slug="botox")
    kw.setdefault("off_label_consent", True)
    session = TreatmentSessionFactory(
        patient=patient,
        indication=Indication.objects.get(slug=indication),
        product=botox,
        vial=VialFactory(product=botox),
        screening_reviewed=True,
        consent_taken=True,
        spread_advice_given=True,
        weight_kg=D("50"),
        weight_measured_on=timezone.localdate(),
        **kw,
    )
    InjectionPointFactory(
        session=session,
        site=AnatomicalSite.objects.get(slug=site),
        side="left",
        units=D(25),
        volume_ml=None,
    )
    return {
        f.code: f.level for f in selectors.safety_inputs_for_session(session=session).evaluate()
    }


@pytest.mark.parametrize(
    ("indication", "site"),
    [("tmd-bruxism", "masseter"), ("hyperhidrosis-palmar", "palm-intradermal")],
)
def test_a_15_year_old_gets_the_minimum_age_override_for_off_label_indications(indication, site):
    patient = aged(15)
    QuestionnaireFactory(patient=patient)
    PrescriberAssessmentFactory(patient=patient)
    found = findings(patient, indication, site)
    assert found.get("age.below_licensed") == Level.OVERRIDE
    assert "age.cosmetic_under_18" not in found


def test_masseter_contouring_under_18_is_blocked_as_cosmetic():
    patient = aged(15)
    QuestionnaireFactory(patient=patient)
    PrescriberAssessmentFactory(patient=patient)
    found = findings(patient, "masseter-contouring", "masseter")
    assert found.get("age.cosmetic_under_18") == Level.BLOCK
    assert "age.below_licensed" not in found
    # Still off-label (no product licensed for it): the off-label consent is asked for.
    found = findings(patient, "masseter-contouring", "masseter", off_label_consent=False)
    assert found.get("licence.off_label_consent") == Level.BLOCK


def test_masseter_contouring_in_pregnancy_is_blocked_as_cosmetic():
    patient = aged(30)
    QuestionnaireFactory(patient=patient, pregnant_or_breastfeeding="yes")
    PrescriberAssessmentFactory(patient=patient)
    found = findings(patient, "masseter-contouring", "masseter")
    assert found.get("contra.pregnancy") == Level.BLOCK
    assert "caution.pregnancy" not in found
