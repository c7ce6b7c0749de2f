"""Patients and their questionnaires: invented names, addresses, NHS numbers from the
never-issued 999 range, phones from Ofcom's drama range, intake questionnaires and toxin
treatments received elsewhere, inserted in batches with their history rows.
"""

from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from patients.choices import PatientStatus, ReferralSource, Sex, Title, YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from patients.services import allocate_record_numbers
from patients.validators import NHS_WEIGHTS

STREETS = [
    "Kensington Church Street",
    "Holland Park Avenue",
    "Earls Court Road",
    "Gloucester Road",
    "Old Brompton Road",
    "Fulham Road",
    "Ladbroke Grove",
    "Portobello Road",
    "Abingdon Road",
    "Stratford Road",
    "Phillimore Gardens",
    "Campden Hill Road",
    "Warwick Gardens",
    "Cromwell Road",
    "Pembroke Road",
    "Redcliffe Square",
    "Queen's Gate",
    "Elgin Crescent",
    "Westbourne Grove",
    "Addison Road",
    "Edwardes Square",
    "Marloes Road",
    "Launceston Place",
    "Hornton Street",
    "Sheffield Terrace",
    "Palace Gardens Terrace",
    "Lexham Gardens",
    "Harrington Road",
    "Drayton Gardens",
    "Sydney Street",
    "King's Road",
    "Lillie Road",
    "North End Road",
    "Goldhawk Road",
    "Chiswick High Road",
    "Askew Road",
    "Bassett Road",
]


TOWNS = ["London"] * 12 + [
    "Richmond",
    "Twickenham",
    "Ealing",
    "Kingston upon Thames",
    "Wimbledon",
    "Harrow",
    "Slough",
    "Reading",
    "Guildford",
    "Watford",
]


OUTWARD = [
    "W8",
    "W14",
    "SW7",
    "SW5",
    "SW10",
    "SW3",
    "W11",
    "W10",
    "W2",
    "W6",
    "W4",
    "W12",
    "SW6",
    "SW1X",
    "NW1",
    "SE1",
    "TW9",
    "TW1",
    "W5",
    "KT1",
    "SW19",
    "HA1",
    "SL1",
]


INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


PRACTICES = [
    "Kensington Park Medical Centre",
    "Holland Park Surgery",
    "Earls Court Health & Wellbeing",
    "The Abingdon Health Centre",
    "Stanhope Mews Surgery",
    "Knightsbridge Medical Centre",
    "Barlby Surgery",
    "Colville Health Centre",
    "Brompton Medical Centre",
    "The Good Practice",
    "Chelsea Practice",
    "Westbourne Medical Centre",
]


RELATIONSHIPS = [
    "Spouse",
    "Partner",
    "Mother",
    "Father",
    "Daughter",
    "Son",
    "Sister",
    "Brother",
    "Friend",
]


MEDICATIONS = [
    "",
    "",
    "",
    "Sumatriptan 50 mg as needed",
    "Propranolol 40 mg twice daily",
    "Topiramate 50 mg twice daily",
    "Amitriptyline 10 mg at night",
    "Levothyroxine 75 mcg",
    "Ramipril 5 mg daily",
    "Atorvastatin 20 mg",
    "Sertraline 50 mg",
    "Oxybutynin 5 mg",
    "Apixaban 5 mg twice daily",
    "Aspirin 75 mg daily",
    "Baclofen 10 mg three times daily",
    "Combined oral contraceptive",
    "Vitamin D 1000 IU",
]
BLOOD_THINNERS = ("Apixaban", "Aspirin")


SEED_CHANGE_REASON = "Demo seed"
# Choice values looked up once (a million patients draw from them).
FEMALE_TITLES = [Title.MRS.value, Title.MS.value, Title.MISS.value, Title.DR.value]
MALE_TITLES = [Title.MR.value, Title.MR.value, Title.DR.value]
FEMALE, MALE = Sex.FEMALE.value, Sex.MALE.value
ACTIVE, ARCHIVED = PatientStatus.ACTIVE.value, PatientStatus.ARCHIVED.value
REFERRAL_SOURCES = list(ReferralSource.values)
NO, NOT_APPLICABLE = YesNoNotApplicable.NO.value, YesNoNotApplicable.NOT_APPLICABLE.value


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years, as Patient.age_on counts them."""
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


def nhs_check_digit(first_nine: str) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


class PatientSeeder:
    """Patients, questionnaires and prior treatments, a batch at a time."""

    def load_name_lists(self):
        from faker.providers.person.en_GB import Provider as Names

        self.female_names = list(Names.first_names_female)
        self.male_names = list(Names.first_names_male)
        self.first_names = self.female_names + self.male_names  # emergency contacts
        self.last_names = list(Names.last_names)
        self.tz = timezone.get_current_timezone()
        self.used_nhs = set(
            Patient.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
        )

    def nhs_number(self) -> str:
        while True:
            first_nine = "999" + f"{self.rng.randrange(10**6):06d}"
            check = nhs_check_digit(first_nine)
            number = f"{first_nine}{check}" if check is not None else None
            if number and number not in self.used_nhs:
                self.used_nhs.add(number)
                return number

    def phone(self, large: bool) -> str:
        if large:  # 07 then 0-8: 079 numbers are left to the benchmarks' invented registrants
            return f"07{self.rng.randrange(9 * 10**8):09d}"
        return f"07700900{self.rng.randrange(1000):03d}"

    def postcode(self) -> str:
        letters = "".join(self.rng.choice(INWARD_LETTERS) for _ in range(2))
        return f"{self.rng.choice(OUTWARD)} {self.rng.randrange(1, 10)}{letters}"

    def date_of_birth(self, today: date) -> date:
        # Mostly adults 25-75 (therapeutic and cosmetic), some children (spasticity).
        if self.rng.random() < 0.05:
            age_days = self.rng.randrange(3 * 365, 17 * 365)
        else:
            age_days = self.rng.randrange(19 * 365, 88 * 365)
        return today - timedelta(days=age_days)

    def patient_row(self, record_number: str, today: date, large: bool) -> dict:
        """One invented patient as field values (attnames), before the derived columns
        (name keys, public_id, id): what both ways of inserting (seed_batch and its COPY
        twin, clinic.demo.patient_copy) start from."""
        rng = self.rng
        female = rng.random() < 0.68  # toxin clinics see more women
        given = rng.choice(self.female_names if female else self.male_names)
        if rng.random() < 0.2:
            given += " " + rng.choice(self.female_names if female else self.male_names)
        family = rng.choice(self.last_names)
        dob = self.date_of_birth(today)
        registered = datetime.combine(
            # From yesterday back (a time of day today could still be to come), not before
            # the patient was born (young children).
            today - timedelta(days=1 + rng.randrange(0, min(6 * 365, (today - dob).days))),
            dtime(rng.randrange(8, 19), rng.randrange(60)),
            tzinfo=self.tz,  # what timezone.make_aware does, without looking it up each time
        )
        email_ok, sms_ok = rng.random() < 0.6, rng.random() < 0.7
        # Recalls and news (marketing, rule 37): most of those who agreed to reminders on a
        # channel, picked by record number (no new draw, so every other figure stays).
        news_email = email_ok and record_number[-1] not in "37"
        news_sms = sms_ok and record_number[-1] not in "049"
        contact_family = rng.choice(self.last_names) if rng.random() < 0.3 else family
        archived = rng.random() < 0.04
        flat = f"Flat {rng.randrange(1, 40)}, " if rng.random() < 0.35 else ""
        return {
            "record_number": record_number,
            "title": rng.choice(FEMALE_TITLES if female else MALE_TITLES),
            "given_names": given,
            "family_name": family,
            "preferred_name": given.split()[0][:4] if rng.random() < 0.05 else "",
            "date_of_birth": dob,
            "sex": FEMALE if female else MALE,
            "nhs_number": self.nhs_number() if rng.random() < 0.7 else "",
            "phone": self.phone(large),
            "email": f"{given.split()[0].lower()}.{family.lower().replace(' ', '')}"
            f"{rng.randrange(100)}@example.com"
            if rng.random() < 0.85
            else "",
            "address_line_1": f"{flat}{rng.randrange(1, 220)} {rng.choice(STREETS)}",
            "town": rng.choice(TOWNS),
            "postcode": self.postcode(),
            "gp_practice": rng.choice(PRACTICES),
            "gp_name": f"Dr {rng.choice(self.last_names)}" if rng.random() < 0.8 else "",
            "emergency_contact_name": f"{rng.choice(self.first_names)} {contact_family}",
            "emergency_contact_relationship": rng.choice(RELATIONSHIPS),
            "emergency_contact_phone": self.phone(large),
            "referral_source": rng.choice(REFERRAL_SOURCES),
            "consent_contact_email": email_ok,
            "consent_contact_email_at": registered if email_ok else None,
            "consent_contact_sms": sms_ok,
            "consent_contact_sms_at": registered if sms_ok else None,
            "consent_marketing_email": news_email,
            "consent_marketing_email_at": registered if news_email else None,
            "consent_marketing_sms": news_sms,
            "consent_marketing_sms_at": registered if news_sms else None,
            "status": ARCHIVED if archived else ACTIVE,
            # Archived up to 400 days after registering and by yesterday, by the seed's day:
            # the same rows from the same random seed, whenever it runs (not "now").
            "archived_at": registered
            + timedelta(days=min(400, (today - registered.date()).days - 1))
            if archived
            else None,
            "archived_reason": "Moved away from London" if archived else "",
            "registered_by_id": self.staff["reception"].pk,
            "created_at": registered,
        }

    def make_patient(self, record_number: str, today: date, large: bool) -> Patient:
        return Patient(**self.patient_row(record_number, today, large))

    def questionnaire_rows(
        self, *, registered_on: date, female: bool, today: date, treated=False, bladder=False
    ) -> list[dict]:
        """Dated answers (field values) from registration to today; a patient to be treated
        has at least one (the first on the day they registered, before any session)."""
        rng = self.rng
        count = rng.choices([0, 1, 2, 3], weights=[15, 55, 20, 10])[0]
        if treated:
            count = max(count, 1)
        first = registered_on
        span = max((today - first).days, 1)
        reception, practitioner = self.staff["reception"].pk, self.staff["practitioner"].pk
        result = []
        for index in range(count):
            completed = first + timedelta(days=int(span * index / max(count, 1)))
            alert = rng.random() < 0.25
            # Only recent answers still wait for a practitioner; older ones were reviewed.
            reviewed = (today - completed).days > 21 or rng.random() < 0.3
            bladder_answer = NO if bladder else NOT_APPLICABLE
            row = {
                "completed_on": completed,
                "allergy_toxin_or_albumin": False,
                "allergy_cows_milk_protein": alert and rng.random() < 0.15,
                "allergy_details": "Penicillin: rash" if rng.random() < 0.1 else "",
                "infection_at_sites": False,
                "neuromuscular_disorder": False,
                "swallowing_or_breathing_problems": alert and rng.random() < 0.1,
                "pregnant_or_breastfeeding": NO if female else NOT_APPLICABLE,
                "bleeding_risk": alert and rng.random() < 0.5,
                "interacting_medicines": alert and rng.random() < 0.2,
                "toxin_in_last_4_months": False,
                "previous_poor_response": alert and rng.random() < 0.1,
                "facial_surgery_fillers_or_asymmetry": alert and rng.random() < 0.3,
                "urinary_infection": bladder_answer,
                "urinary_retention": bladder_answer,
                "can_self_catheterise": bladder_answer,
                "heart_disease": alert and rng.random() < 0.1,
                "important_event_or_driving": rng.random() < 0.2,
                "current_medications": rng.choice(MEDICATIONS),
                "entered_by_id": reception,
                "reviewed_by_id": practitioner if reviewed else None,
                "reviewed_at": datetime.combine(completed, dtime(12), tzinfo=self.tz)
                if reviewed
                else None,
                "created_at": datetime.combine(completed, dtime(9), tzinfo=self.tz),
            }
            if row["allergy_cows_milk_protein"] and not row["allergy_details"]:
                row["allergy_details"] = "Cow's milk protein: hives"
            if row["bleeding_risk"] and "Apixaban" not in row["current_medications"]:
                row["current_medications"] = "Apixaban 5 mg twice daily"
            # A blood thinner among the medicines is question 7's yes (practitioner review
            # 07/12/2026: "Aspirin 75 mg daily" beside "No screening concerns").
            if row["current_medications"].startswith(BLOOD_THINNERS):
                row["bleeding_risk"] = True
            result.append(row)
        return result

    def prior_treatment_rows(self, date_of_birth: date, questionnaires: list[dict]) -> list:
        """Some adults had toxin elsewhere recently: say so in the questionnaire (field
        values, changed in place) and return (questionnaire index, treatment values)."""
        rows = []
        for index, questionnaire in enumerate(questionnaires):
            if not self.products or self.rng.random() >= 0.08:
                continue
            if age_on(date_of_birth, questionnaire["completed_on"]) < 18:
                continue
            questionnaire["toxin_in_last_4_months"] = True
            rows.append(
                (
                    index,
                    {
                        "treated_on": questionnaire["completed_on"]
                        - timedelta(days=self.rng.randrange(20, 110)),
                        "product_id": self.rng.choice(self.products).pk,
                        "units": self.rng.choice([20, 24, 40, 50, 64]),
                        "area": "Glabellar lines"
                        if self.rng.random() < 0.7
                        else "Forehead and crow's feet",
                        "clinic_name": self.rng.choice(
                            [
                                "Harley Street Aesthetics",
                                "A salon in Chelsea",
                                "Dr Lewis, Marylebone",
                                "Unknown",
                            ]
                        ),
                    },
                )
            )
        return rows

    def batch_questionnaires(self, patients: list[Patient], today: date):
        """Each patient's questionnaires and prior treatments, and with a treatment history
        their plan: the same random draws, in the same order, as the COPY path makes."""
        questionnaires, prior_rows = [], []
        for patient in patients:
            kind = self.treatment.choose_kind(patient, today) if self.treatment else None
            rows = self.questionnaire_rows(
                registered_on=patient.created_at.date(),
                female=patient.sex == FEMALE,
                today=today,
                treated=kind is not None,
                bladder=kind is not None and kind.indication == "oab",
            )
            prior_values = self.prior_treatment_rows(patient.date_of_birth, rows)
            answers = [IntakeQuestionnaire(patient=patient, **row) for row in rows]
            priors = [
                PriorTreatment(questionnaire=answers[index], patient=patient, **values)
                for index, values in prior_values
            ]
            plan = self.treatment.make_plan(patient, kind, answers, priors) if kind else None
            if plan is not None:  # filed later, in date order with the sessions
                self.treatment.plans.append(plan)
            else:
                questionnaires.extend(answers)
                prior_rows.extend(priors)
        return questionnaires, prior_rows

    @transaction.atomic
    def seed_batch(self, size: int, *, large: bool):
        today = timezone.localdate()
        numbers = allocate_record_numbers(size)
        patients = [self.make_patient(n, today, large) for n in numbers]
        for patient in patients:
            patient._history_date = patient.created_at  # history shows the registration date
            patient.refresh_name_keys()  # bulk_create skips save(): search needs these
        patients = bulk_create_with_history(
            patients,
            Patient,
            batch_size=2000,
            default_user=self.staff["reception"],
            default_change_reason=SEED_CHANGE_REASON,
        )
        if not patients[0].pk:  # backends without RETURNING on bulk insert
            by_number = dict(
                Patient.objects.filter(record_number__in=numbers).values_list("record_number", "pk")
            )
            for patient in patients:
                patient.pk = by_number[patient.record_number]
        questionnaires, prior_rows = self.batch_questionnaires(patients, today)
        IntakeQuestionnaire.objects.bulk_create(questionnaires, batch_size=2000)
        PriorTreatment.objects.bulk_create(
            [row for row in prior_rows if row.questionnaire.pk], batch_size=2000
        )
