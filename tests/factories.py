"""factory_boy factories. All data is invented; NHS numbers come from the 999 test range."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from patients.choices import ReferralSource, Sex, YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from patients.validators import NHS_WEIGHTS


def valid_nhs_number(n: int) -> str:
    """The n-th valid NHS number in the never-issued 999 range."""
    candidate = n
    while True:
        first_nine = f"999{candidate % 10**6:06d}"
        check = 11 - sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return f"{first_nine}{check}"
        candidate += 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=str(extracted)))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    record_number = factory.Sequence(lambda n: f"T{n:06d}")
    title = "Ms"
    given_names = factory.Faker("first_name_female", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    # An adult on every back-dated session a test invents (some go back 800 days: a patient
    # of 20 today was 17 then, and the engine rightly blocks a child without a weight).
    # Tests about children or age limits give the date of birth themselves.
    date_of_birth = factory.Faker("date_of_birth", minimum_age=30, maximum_age=80)
    sex = Sex.FEMALE
    nhs_number = factory.Sequence(lambda n: valid_nhs_number(n * 7 + 11))
    phone = factory.Sequence(lambda n: f"07700{n:06d}")
    email = factory.LazyAttribute(lambda p: f"{p.given_names.lower()}@example.com")
    address_line_1 = "12 Phillimore Gardens"
    town = "London"
    postcode = "W8 7QB"
    gp_practice = "Kensington Park Medical Centre"
    gp_name = "Dr Lewis"
    emergency_contact_name = "Sam Taylor"
    emergency_contact_relationship = "Partner"
    emergency_contact_phone = "07700900999"
    referral_source = ReferralSource.GP


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeQuestionnaire

    patient = factory.SubFactory(PatientFactory)
    completed_on = factory.LazyFunction(timezone.localdate)
    allergy_toxin_or_albumin = False
    allergy_cows_milk_protein = False
    infection_at_sites = False
    neuromuscular_disorder = False
    swallowing_or_breathing_problems = False
    pregnant_or_breastfeeding = YesNoNotApplicable.NO
    bleeding_risk = False
    interacting_medicines = False
    toxin_in_last_4_months = False
    previous_poor_response = False
    facial_surgery_fillers_or_asymmetry = False
    urinary_infection = YesNoNotApplicable.NOT_APPLICABLE
    urinary_retention = YesNoNotApplicable.NOT_APPLICABLE
    can_self_catheterise = YesNoNotApplicable.NOT_APPLICABLE
    heart_disease = False
    important_event_or_driving = False
    entered_by = factory.SubFactory(UserFactory)


def reviewed_questionnaire(patient, practitioner, *, days_ago: int = 0, **answers):
    """A questionnaire completed `days_ago` days ago and reviewed by `practitioner` then:
    the screening the banner, the new-session page and the engine read as reviewed."""
    return QuestionnaireFactory(
        patient=patient,
        completed_on=timezone.localdate() - timedelta(days=days_ago),
        reviewed_by=practitioner,
        reviewed_at=timezone.now() - timedelta(days=days_ago),
        **answers,
    )


class PriorTreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorTreatment

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    patient = factory.SelfAttribute("questionnaire.patient")
    treated_on = factory.LazyFunction(timezone.localdate)
    product_other = "Botox"
    units = 20


class VialFactory(factory.django.DjangoModelFactory):
    """A reconstituted 100 U BOTOX vial (2 mL: 5 U per 0.1 mL), in date."""

    class Meta:
        model = "treatments.Vial"

    product = factory.LazyFunction(lambda: _product("botox"))
    presentation_units = 100
    lot = factory.Sequence(lambda n: f"C{n:05d}C3")
    lot_sequence = factory.Sequence(lambda n: n + 1)  # distinct even when a test fixes the lot
    # A month ago, or the day it was made up if that was earlier (a vial is received before
    # it is made up; the engine refuses one received after the session's day).
    received_on = factory.LazyAttribute(
        lambda v: min(
            timezone.localdate() - timedelta(days=30),
            timezone.localdate(v.reconstituted_at) if v.reconstituted_at else date.max,
        )
    )
    expiry = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    received_by = factory.SubFactory(UserFactory)
    reconstituted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    diluent_ml = Decimal("2.00")
    reconstituted_by = factory.SelfAttribute("received_by")
    use_by = factory.LazyAttribute(lambda v: v.reconstituted_at + timedelta(hours=24))


class TreatmentSessionFactory(factory.django.DjangoModelFactory):
    """A draft session; `signed=True` makes it a signed one, written directly.

    - `signed=True`: status "signed", signed by its practitioner when it was performed
      (give `signed_at` or `signed_by` to differ).
    - `points=n`: n injection points of InjectionPointFactory's defaults; `points__units=...`
      (or any other `points__` field) for all of them.
    - `summarised=True` (signed sessions): the summaries signing writes, after the points
      (`rollups.record_signed_session`; the dashboard and the recall list read them).

    Tests about signing itself go through the services instead."""

    class Meta:
        model = "treatments.TreatmentSession"
        skip_postgeneration_save = True

    class Params:
        signed = factory.Trait(
            status="signed",
            signed_at=factory.SelfAttribute("performed_at"),
            signed_by=factory.SelfAttribute("practitioner"),
        )

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(UserFactory)
    indication = factory.LazyFunction(lambda: _indication("chronic-migraine"))
    product = factory.LazyFunction(lambda: _product("botox"))
    vial = factory.SubFactory(VialFactory)
    performed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def points(self, create, extracted, **fields):
        if create and extracted:
            InjectionPointFactory.create_batch(extracted, session=self, **fields)

    @factory.post_generation  # after `points`: the summaries count them
    def summarised(self, create, extracted, **kwargs):
        if create and extracted:
            from treatments.services import rollups

            assert self.is_signed, "summarised=True is for signed sessions (signed=True)"
            rollups.record_signed_session(self)


class InjectionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatments.InjectionPoint"

    session = factory.SubFactory(TreatmentSessionFactory)
    site = factory.LazyFunction(lambda: _site("temporalis"))
    side = "left"
    units = Decimal("5")
    volume_ml = Decimal("0.1")


class PrescriberAssessmentFactory(factory.django.DjangoModelFactory):
    """A prescriber's face-to-face assessment a week ago (rule 34)."""

    class Meta:
        model = "treatments.PrescriberAssessment"

    patient = factory.SubFactory(PatientFactory)
    prescriber = factory.SubFactory(UserFactory)
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    recorded_by = factory.SelfAttribute("prescriber")


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatments.FollowUp"

    patient = factory.SubFactory(PatientFactory)
    kind = "review-call"
    title = "Review call"
    due_on = factory.LazyFunction(timezone.localdate)


class OutcomeAssessmentFactory(factory.django.DjangoModelFactory):
    """Headache days a month for chronic migraine, assessed today."""

    class Meta:
        model = "treatments.OutcomeAssessment"

    patient = factory.SubFactory(PatientFactory)
    indication = factory.LazyFunction(lambda: _indication("chronic-migraine"))
    instrument = factory.LazyFunction(lambda: _instrument("headache-days"))
    value = Decimal("18")
    assessed_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)


def _instrument(slug):
    from treatments.models import OutcomeInstrument

    return OutcomeInstrument.objects.get(slug=slug)


def _product(slug):
    from treatments.models import Product

    return Product.objects.get(slug=slug)


def _indication(slug):
    from treatments.models import Indication

    return Indication.objects.get(slug=slug)


def _site(slug_part):
    from treatments.models import AnatomicalSite

    return AnatomicalSite.objects.filter(slug__contains=slug_part).order_by("id").first()


def _term(slug):
    from treatments.models import SideEffectTerm

    return SideEffectTerm.objects.get(slug=slug)


class SideEffectFactory(factory.django.DjangoModelFactory):
    """A reviewed, not serious eyelid ptosis a week after a signed session, no decision."""

    class Meta:
        model = "treatments.SideEffect"

    session = factory.SubFactory(
        TreatmentSessionFactory,
        signed=True,
        signed_at=factory.LazyFunction(timezone.now),
        performed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=7)),
    )
    patient = factory.SelfAttribute("session.patient")
    term = factory.LazyFunction(lambda: _term("eyelid-ptosis"))
    description = "Left eyelid drooping"
    onset_date = factory.LazyFunction(timezone.localdate)
    severity = 2
    outcome = "recovering"
    causality = "probable"
    action_taken = "advice"
    reporter = "patient"
    status = "reviewed"
    logged_by = factory.SubFactory(UserFactory)
