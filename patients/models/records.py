"""Patients, their intake questionnaires and toxin treatments received elsewhere."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clinic.models import TimeStampedModel
from patients.choices import (
    PatientStatus,
    ReferralSource,
    Sex,
    Title,
    YesNoNotApplicable,
)
from patients.names import name_tokens, normalise_name
from patients.validators import format_nhs_number, format_phone

# What the normalised name columns hold at most (normalising never shortens a name by
# much, and "Mc" grows to "mac"); longer values are cut, which only affects search.
FAMILY_NAME_KEY_LENGTH = 150
GIVEN_NAME_TOKENS_LENGTH = 255
NAME_FIELDS = ("family_name", "given_names", "preferred_name")
NAME_KEY_FIELDS = ("family_name_key", "family_name_tokens", "given_name_tokens")


def patient_name_keys(*, family_name: str, given_names: str, preferred_name: str) -> dict:
    """The normalised name columns for these names (patients.names): what save() and
    refresh_name_keys() store, and what bulk loaders (the demo seed's COPY) write."""
    return {
        "family_name_key": normalise_name(family_name)[:FAMILY_NAME_KEY_LENGTH],
        "family_name_tokens": name_tokens(family_name)[:FAMILY_NAME_KEY_LENGTH],
        "given_name_tokens": name_tokens(given_names, preferred_name)[:GIVEN_NAME_TOKENS_LENGTH],
    }


class Patient(TimeStampedModel):
    """A person registered with the clinic. Archived, never deleted (DOMAIN §7.1).

    `public_id` is the only identifier in URLs; `record_number` (K000123) is what staff
    read out on the phone. `version` guards against two people overwriting each other.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record_number = models.CharField(max_length=12, unique=True, editable=False)
    title = models.CharField(max_length=10, choices=Title.choices, blank=True)
    given_names = models.CharField("given name(s)", max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    # The names normalised by patients.names, kept by save() and refresh_name_keys() (bulk
    # loads call it): what search, ranking and the duplicate check compare.
    family_name_key = models.CharField(
        max_length=FAMILY_NAME_KEY_LENGTH, blank=True, editable=False
    )
    family_name_tokens = models.CharField(
        max_length=FAMILY_NAME_KEY_LENGTH, blank=True, editable=False
    )
    given_name_tokens = models.CharField(
        max_length=GIVEN_NAME_TOKENS_LENGTH, blank=True, editable=False
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=15, choices=Sex.choices)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    phone = models.CharField("mobile or main phone", max_length=20)
    email = models.EmailField(blank=True)
    address_line_1 = models.CharField("address line 1", max_length=150)
    address_line_2 = models.CharField("address line 2", max_length=150, blank=True)
    town = models.CharField("town or city", max_length=100)
    postcode = models.CharField(max_length=8)
    gp_practice = models.CharField("GP practice", max_length=150)
    gp_name = models.CharField("GP name", max_length=100, blank=True)
    emergency_contact_name = models.CharField(max_length=150)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=20)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referral_detail = models.CharField(
        max_length=200, blank=True, help_text="Referrer's name or how they heard of us"
    )
    # Two consents per channel, each with when it was given (DOMAIN §6.1, §6.4, rule 37):
    # service messages (appointment reminders, aftercare advice, offers of a freed slot)
    # are not marketing; marketing (recalls when treatment is due again, clinic news) is a
    # separate opt-in per channel (PECR), withdrawn by the unsubscribe link in each one.
    consent_contact_email = models.BooleanField(
        "consents to service messages by email", default=False
    )
    consent_contact_email_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_contact_sms = models.BooleanField("consents to service messages by SMS", default=False)
    consent_contact_sms_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_marketing_email = models.BooleanField(
        "consents to recalls and news by email", default=False, db_default=False
    )
    consent_marketing_email_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_marketing_sms = models.BooleanField(
        "consents to recalls and news by SMS", default=False, db_default=False
    )
    consent_marketing_sms_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty for imported records",
    )

    history = HistoricalRecords(excluded_fields=["updated_at", *NAME_KEY_FIELDS])

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        permissions = [
            ("archive_patient", "Can archive and restore patients"),
            ("view_nhs_number", "Can see NHS numbers"),
            ("view_patient_history", "Can see a patient's change history"),
        ]
        indexes = [
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["phone"], name="patient_phone_idx"),
            models.Index(Lower("family_name"), "date_of_birth", name="patient_surname_dob_idx"),
            models.Index(fields=["status", "family_name"], name="patient_status_name_idx"),
            models.Index(fields=["family_name_key", "date_of_birth"], name="patient_key_dob_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="patient_nhs_number_unique",
                violation_error_message="Another patient already has this NHS number.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PatientStatus.values),
                name="patient_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.record_number})"

    def save(self, *args, **kwargs):
        self.refresh_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(NAME_FIELDS):
            kwargs["update_fields"] = {*update_fields, *NAME_KEY_FIELDS}
        super().save(*args, **kwargs)

    def refresh_name_keys(self) -> None:
        """Derive the normalised name columns from the names (bulk_create skips save())."""
        keys = patient_name_keys(
            family_name=self.family_name,
            given_names=self.given_names,
            preferred_name=self.preferred_name,
        )
        for name, value in keys.items():
            setattr(self, name, value)

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", kwargs={"public_id": self.public_id})

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def display_name(self) -> str:
        """Surname first, as clinic lists show it; the preferred name in brackets."""
        name = f"{self.family_name.upper()}, {self.given_names}"
        if self.preferred_name and self.preferred_name != self.given_names:
            name += f" ({self.preferred_name})"
        if self.title:
            name += f", {self.title}"
        return name

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def emergency_contact_phone_display(self) -> str:
        return format_phone(self.emergency_contact_phone)

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    @property
    def is_archived(self) -> bool:
        return self.status == PatientStatus.ARCHIVED

    def age_on(self, on: date) -> int:
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class IntakeQuestionnaire(TimeStampedModel):
    """One dated set of answers to the screening questions (DOMAIN §6.3).

    A later questionnaire never overwrites an earlier one: each is its own row, and the
    newest one is what the safety rules read. Answers feed rules 21-28 of DOMAIN §10.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="questionnaires")
    completed_on = models.DateField(help_text="Date the patient answered")
    # Q1, Q2 and other allergies
    allergy_toxin_or_albumin = models.BooleanField(
        "allergic reaction to a botulinum toxin or to human albumin"
    )
    allergy_cows_milk_protein = models.BooleanField("allergy to cow's milk protein")
    allergy_details = models.TextField("allergies (drug, excipient) and reactions", blank=True)
    # Q3
    infection_at_sites = models.BooleanField(
        "skin infection, cold sore, acne flare or inflammation where injections are planned"
    )
    # Q4
    neuromuscular_disorder = models.BooleanField(
        "myasthenia gravis, Lambert-Eaton, motor neurone disease or another nerve/muscle disease"
    )
    neuromuscular_details = models.CharField(max_length=250, blank=True)
    # Q5
    swallowing_or_breathing_problems = models.BooleanField(
        "difficulty swallowing or breathing, aspiration or chest problems"
    )
    # Q6
    pregnant_or_breastfeeding = models.CharField(
        "pregnant, trying to conceive or breastfeeding",
        max_length=3,
        choices=YesNoNotApplicable.choices,
    )
    # Q7
    bleeding_risk = models.BooleanField(
        "takes blood thinners (warfarin, DOACs, heparin, aspirin, clopidogrel) "
        "or has a bleeding disorder"
    )
    # Q8
    interacting_medicines = models.BooleanField(
        "taking or recently took aminoglycoside antibiotics (e.g. gentamicin), "
        "muscle relaxants or anticholinergic medicines"
    )
    # Q9 (details in PriorTreatment rows)
    toxin_in_last_4_months = models.BooleanField(
        "botulinum toxin injection elsewhere in the last 4 months"
    )
    # Q10
    previous_poor_response = models.BooleanField("little or no effect from toxin previously")
    # Q11
    facial_surgery_fillers_or_asymmetry = models.BooleanField(
        "facial surgery, fillers or threads, eyelid droop or marked facial asymmetry"
    )
    # Q12 (bladder patients): asked separately, since a UTI and retention lead to different
    # decisions (DOMAIN §10 rule 26: retention does not block a patient who self-catheterises).
    urinary_infection = models.CharField(
        "urinary infection now (burning, frequency, fever)",
        max_length=3,
        choices=YesNoNotApplicable.choices,
    )
    urinary_retention = models.CharField(
        "difficulty emptying the bladder (urinary retention)",
        max_length=3,
        choices=YesNoNotApplicable.choices,
    )
    can_self_catheterise = models.CharField(
        "performs clean intermittent self-catheterisation",
        max_length=3,
        choices=YesNoNotApplicable.choices,
    )
    # Q14, Q15
    heart_disease = models.BooleanField("heart disease")
    important_event_or_driving = models.BooleanField(
        "important event in the next 2 weeks, or drives / operates machinery"
    )
    current_medications = models.TextField(
        "current medications (incl. over-the-counter and supplements)", blank=True
    )
    migraine_preventives_failed = models.PositiveSmallIntegerField(
        "migraine preventive medicines tried that did not help or were not tolerated",
        null=True,
        blank=True,
        help_text="Headache patients only: the number of preventives (e.g. propranolol, "
        "topiramate, amitriptyline) taken for 2-3 months. NICE TA260 asks for 3 or more.",
    )
    notes = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    # The answers that need a clinician's attention before treatment, in question order.
    ALERT_FIELDS = (
        "allergy_toxin_or_albumin",
        "allergy_cows_milk_protein",
        "infection_at_sites",
        "neuromuscular_disorder",
        "swallowing_or_breathing_problems",
        "pregnant_or_breastfeeding",
        "bleeding_risk",
        "interacting_medicines",
        "toxin_in_last_4_months",
        "previous_poor_response",
        "facial_surgery_fillers_or_asymmetry",
        "urinary_infection",
        "urinary_retention",
        "heart_disease",
    )

    class Meta:
        ordering = ["-completed_on", "-id"]
        permissions = [("review_intakequestionnaire", "Can mark a questionnaire reviewed")]
        indexes = [
            models.Index(fields=["patient", "-completed_on"], name="questionnaire_patient_idx"),
            # The review queue (home page, oldest first) read in its order: the unreviewed
            # questionnaires were all read and sorted (11 ms at 60,000 patients).
            models.Index(
                fields=["completed_on", "id"],
                name="questionnaire_review_queue_idx",
                condition=models.Q(reviewed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Questionnaire of {self.completed_on:%d/%m/%Y}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def alerts(self) -> list[str]:
        """Verbose names of the answers that are "yes"."""
        found = []
        for name in self.ALERT_FIELDS:
            value = getattr(self, name)
            if value is True or value == YesNoNotApplicable.YES:
                found.append(self._meta.get_field(name).verbose_name)
        return found


class PriorTreatment(TimeStampedModel):
    """Toxin given elsewhere, as the patient reported it (feeds interval/cumulative rules)."""

    questionnaire = models.ForeignKey(
        IntakeQuestionnaire, on_delete=models.PROTECT, related_name="prior_treatments"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prior_treatments")
    treated_on = models.DateField("date given")
    product = models.ForeignKey(
        "treatments.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product_other = models.CharField("product if not listed", max_length=100, blank=True)
    units = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="In that product's units"
    )
    indication = models.ForeignKey(
        "treatments.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.CharField("area or reason", max_length=150, blank=True)
    clinic_name = models.CharField("clinic or practitioner", max_length=150, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-treated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units__isnull=True) | models.Q(units__gt=0),
                name="priortreatment_units_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product or self.product_other or 'Toxin'} on {self.treated_on:%d/%m/%Y}"
