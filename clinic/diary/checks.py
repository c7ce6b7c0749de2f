"""What the diary can already know about a booked treatment (issue 15, point 3): the
booking checks. They read the patient's age, treatment history and earlier bookings and
return findings; the same rules run again, in full, in the safety engine when the
session is logged (treatments.safety), so a booking check never replaces them.

- rule 29: a cosmetic indication for a patient under the indication's minimum age on
  the day (18 for cosmetic work in England) is refused; any other indication (therapeutic,
  off-label or investigational) under its minimum age is flagged (rule 31: an override,
  with a reason, at the chair). "Cosmetic" is the indication's category, which says what
  the treatment is for (masseter contouring is cosmetic although no product is licensed
  for it);
- rule 19: a date before the next eligible date for that indication and unit family is
  flagged with the earliest eligible date;
- rule 34: a first cosmetic treatment needs a prescriber's face-to-face consultation
  booked first (refused until there is one);
- rule 26: a bladder treatment with no post-void residual ever recorded asks for one;
- rule 29b: a patient under adult_age_years on the day, booked with a practitioner who is
  not recorded as a registered medical practitioner (or with no practitioner given), is
  flagged: the Botulinum Toxin and Cosmetic Fillers (Children) Act 2021 lets only a
  doctor, or a registered nurse, dentist or pharmacist on a doctor's directions, give them
  toxin (s1(4), s1(7)), and s2 covers the business that arranges it. A registered nurse,
  dentist or pharmacist is a flag (they need a doctor's directions, which the session
  records and the booking cannot know; the engine blocks at signing); someone recorded as
  neither is refused, since the booking itself would be the offence (a manager records a
  registration the staff record lacks).

And, for every kind of visit, the practitioner's working hours (`hours_check`): an
appointment that starts before them, ends after them or falls on a day they do not work
is flagged, so that the booker sees it and says so (a practitioner may agree to stay on;
the day view offers only times within their hours); and a start that has already passed
(`past_check`): flagged, not refused, since a walk-in may be recorded after the visit.

Thresholds are the reference data's (Indication.min_age_years, DoseGuideline and
Indication minimum intervals, the adult_age_years SafetyParameter), never literals here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone

from clinic.diary.choices import AppointmentKind, AppointmentStatus
from treatments.choices import IndicationCategory, SessionStatus, UnitFamily

BLOCK = "block"
FLAG = "flag"


@dataclass(frozen=True)
class BookingCheck:
    level: str  # BLOCK refuses the booking; FLAG needs the booker's acknowledgement
    code: str
    message: str
    source: str
    earliest_on: date | None = None

    @property
    def is_block(self) -> bool:
        return self.level == BLOCK

    @property
    def key(self) -> str:
        """This check as the booker saw it: its code and its wording (an overlap with
        another appointment, or an interval from another date, is another check)."""
        return f"{self.code}:{hashlib.sha256(self.message.encode()).hexdigest()[:12]}"

    def as_record(self) -> dict:
        return {"level": self.level, "code": self.code, "message": self.message}


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _joined(blocks) -> list[tuple[datetime, datetime]]:
    """Working blocks as (starts, ends), back-to-back blocks joined (09:00-13:00 and
    13:00-17:00 are one stretch: an appointment across 13:00 is within hours)."""
    joined: list[list[datetime]] = []
    for block in sorted(blocks, key=lambda b: b.starts):
        if joined and block.starts <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], block.ends)
        else:
            joined.append([block.starts, block.ends])
    return [(starts, ends) for starts, ends in joined]


def hours_check(
    *, practitioner, starts_at: datetime, ends_at: datetime, blocks
) -> BookingCheck | None:
    """A flag when [starts_at, ends_at) is not wholly inside one stretch of the
    practitioner's working hours that day (weekly pattern, less leave, plus extra clinics);
    None when it is. `blocks`: those hours (availability.hours_of), read once by the
    booking or move for the room it takes too. No query."""
    day = timezone.localdate(starts_at)
    stretches = _joined(blocks)
    if any(starts <= starts_at and ends_at <= ends for starts, ends in stretches):
        return None
    name = practitioner.get_full_name() or practitioner.get_username()
    asked = f"{timezone.localtime(starts_at):%H:%M}\u2013{timezone.localtime(ends_at):%H:%M}"
    if not stretches:
        message = (
            f"{name} is not working on {day:%A %d/%m/%Y} (no hours that day, or on leave): "
            f"{asked} is outside their hours."
        )
    else:
        hours = ", ".join(
            f"{timezone.localtime(s):%H:%M}\u2013{timezone.localtime(e):%H:%M}"
            for s, e in stretches
        )
        within = next((e for s, e in stretches if s <= starts_at < e), None)
        if within is not None:
            problem = f"runs past the end of their hours ({timezone.localtime(within):%H:%M})"
        elif starts_at < stretches[0][0]:
            problem = f"starts before their hours ({timezone.localtime(stretches[0][0]):%H:%M})"
        else:
            problem = "is outside their hours"
        message = f"{name} works {hours} on {day:%A %d/%m/%Y}: {asked} {problem}."
    return BookingCheck(FLAG, "hours.outside", message, "the practitioner's working hours")


def past_check(
    *, starts_at: datetime, now: datetime | None = None, doing: str = "book it"
) -> BookingCheck | None:
    """A flag when the start has already passed (models.has_passed: the diary would show
    it late at once; browser review 07/12/2026: 09:00 booked at 09:58 without a word);
    None when it has not. `doing`: what the booker is doing ("move it there"). No query."""
    from clinic.diary.models import has_passed

    now = now or timezone.now()
    if not has_passed(starts_at, now):
        return None
    local = timezone.localtime(starts_at)
    if local.date() == timezone.localdate(now):
        when = f"{local:%H:%M} today"
    else:
        when = f"{local:%H:%M} on {local:%A %d/%m/%Y}"
    return BookingCheck(
        FLAG,
        "time.past",
        f"{when} has already passed: {doing} only to record a visit that happened.",
        # The source, not the wording: the key (code and wording) stays the same however
        # many minutes pass between the page and the box ticked under it.
        f"it is now {timezone.localtime(now):%H:%M}",
    )


def patient_overlap_check(
    *, patient, starts_at: datetime, ends_at: datetime, exclude_pk=None
) -> BookingCheck | None:
    """A flag when the patient already holds an appointment overlapping [starts_at,
    ends_at), with anyone (browser review 07/12/2026: a patient booked with two
    practitioners at once, two rooms held and one of them bound to be a no-show); None
    when they do not. One query."""
    from clinic.diary.availability import overlapping

    other = (
        overlapping(starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk)
        .filter(patient=patient)
        .select_related("practitioner", "appointment_type")
        .order_by("starts_at")
        .first()
    )
    if other is None:
        return None
    who = other.practitioner.get_full_name() or other.practitioner.get_username()
    at = (
        f"{timezone.localtime(other.starts_at):%d/%m/%Y %H:%M}\u2013"
        f"{timezone.localtime(other.ends_at):%H:%M}"
    )
    return BookingCheck(
        FLAG,
        "patient.overlap",
        f"{patient.full_name} is already booked {at} with {who} "
        f"({other.appointment_type.name}): the two appointments would overlap.",
        "the patient's own appointments",
    )


def archived_refusal(patient, *, before: str) -> str:
    """What the diary says of an archived record it refuses (a booking, a move, the
    waiting list): `before` what it is to be restored."""
    reason = f" ({patient.archived_reason})" if patient.archived_reason else ""
    return (
        f"{patient.full_name}'s record is archived{reason}: restore it on the patient's page "
        f"before {before}."
    )


def archived_check(patient) -> BookingCheck:
    return BookingCheck(
        BLOCK,
        "patient.archived",
        archived_refusal(patient, before="booking"),
        "The clinic's records: archived records take no new visits",
    )


def booking_checks(
    *,
    patient,
    appointment_type,
    indication,
    product,
    on: date,
    starts_at=None,
    exclude_pk=None,
    practitioner=None,
) -> list[BookingCheck]:
    """The findings for booking this treatment on `on` (empty for non-treatment visits).
    `practitioner`: who is booked to treat (None: not known here, so a child's booking is
    flagged for rule 29b whoever treats)."""
    from clinic.diary.models import Appointment
    from clinic.staff.selectors import registrations_of
    from treatments.models import PrescriberAssessment, SafetyParameter, TreatmentSession
    from treatments.selectors import patient_timeline

    if not appointment_type.is_treatment:
        return []
    indication = indication or appointment_type.indication
    if indication is None:
        return []
    checks: list[BookingCheck] = []
    age = _age_on(patient.date_of_birth, on)
    cosmetic = indication.category == IndicationCategory.COSMETIC
    if indication.min_age_years and age < indication.min_age_years:
        checks.append(
            BookingCheck(
                BLOCK if cosmetic else FLAG,
                "age.minimum",
                # The indication last: its name may hold a comma ("..., adult").
                f"{patient.full_name} will be {age} on {on:%d/%m/%Y}, under the minimum age of "
                f"{indication.min_age_years} for {indication.name}"
                + (" (cosmetic work under 18 is unlawful in England)." if cosmetic else "."),
                "DOMAIN §10 rule 29; S74" if cosmetic else "DOMAIN §10 rule 31",
            )
        )
    adult_age = (
        SafetyParameter.objects.filter(key="adult_age_years")
        .values_list("value", flat=True)
        .first()
    )
    if adult_age is None:
        raise ImproperlyConfigured("The adult_age_years safety parameter is missing.")
    child = age < adult_age and not any(c.is_block for c in checks)
    # One query, for a child's booking with a practitioner only.
    registered = registrations_of([practitioner.pk] if child and practitioner else [])
    if child and (practitioner is None or practitioner.pk not in registered.doctors):
        name = practitioner and (practitioner.get_full_name() or practitioner.get_username())
        level = FLAG
        if practitioner is None:
            what = "Book a doctor, or make sure a doctor will direct the treatment."
        elif practitioner.pk in registered.regulated:
            what = (
                f"{name} is not recorded as a registered medical practitioner: make sure a "
                "doctor will direct the treatment, or book a doctor."
            )
        else:
            # Arranging it is the business's offence (s2(1)(b)): refused, not a flag a
            # receptionist can tick past (review 05/12). If the staff record lags behind a
            # registration, a manager records it on the staff page.
            level = BLOCK
            what = (
                f"{name} is recorded as neither, and arranging the treatment with them would "
                "be an offence (s2): book a doctor, or a manager records their registration "
                "on the staff page."
            )
        checks.append(
            BookingCheck(
                level,
                "age.child_needs_doctor",
                f"{patient.full_name} will be {age} on {on:%d/%m/%Y}: under the Botulinum "
                "Toxin and Cosmetic Fillers (Children) Act 2021, toxin for a person under "
                f"{int(adult_age)} is given by a registered medical practitioner, or by a "
                f"registered nurse, dentist or pharmacist on a doctor's directions. {what}",
                "DOMAIN §10 rule 29b; Botulinum Toxin and Cosmetic Fillers (Children) Act "
                "2021 s1, s2",
            )
        )
    family_label = UnitFamily(product.unit_family).label if product is not None else None
    eligible = [
        e
        for e in patient_timeline(patient=patient, today=on).eligibility
        if e.indication == indication.name
        and (family_label is None or e.product_family == family_label)
    ]
    latest = max(eligible, key=lambda e: e.next_eligible_on, default=None)
    if latest is not None and on < latest.next_eligible_on:
        earliest = latest.next_eligible_on
        checks.append(
            BookingCheck(
                FLAG,
                "interval.too_soon",
                f"Too soon for {indication.name}: the last treatment was "
                f"{max(e.last_on for e in eligible):%d/%m/%Y}; the earliest eligible date is "
                f"{earliest:%d/%m/%Y}.",
                # As the engine cites the interval: the rule, the section, and the dose
                # guideline's sources when its interval is the one applied.
                "; ".join(filter(None, ("DOMAIN §10 rule 19", "§3.2", latest.source))),
                earliest_on=earliest,
            )
        )
    if cosmetic and not any(c.is_block for c in checks):  # an under-age refusal says it all
        treated_before = TreatmentSession.objects.filter(
            patient=patient,
            status=SessionStatus.SIGNED,
            indication__category=IndicationCategory.COSMETIC,
        ).exists()
        # A face-to-face assessment already recorded by a prescriber counts too.
        assessed = PrescriberAssessment.objects.filter(patient=patient, assessed_on__lte=on)
        if not treated_before and not assessed.exists():
            consultations = Appointment.objects.filter(
                patient=patient,
                appointment_type__kind=AppointmentKind.CONSULTATION,
                status__in=AppointmentStatus.occupying(),
            )
            if starts_at is not None:
                consultations = consultations.filter(starts_at__lt=starts_at)
            if exclude_pk is not None:
                consultations = consultations.filter(~Q(pk=exclude_pk))
            if not consultations.exists():
                checks.append(
                    BookingCheck(
                        BLOCK,
                        "cosmetic.no_consultation",
                        "A first cosmetic treatment needs a prescriber's face-to-face "
                        "consultation first: book the consultation, then the treatment.",
                        "DOMAIN §10 rule 34; S72; S76",
                    )
                )
    if indication.safety_profile == "bladder" or (
        appointment_type.kind == AppointmentKind.BLADDER_TREATMENT
    ):
        has_pvr = TreatmentSession.objects.filter(
            patient=patient, pvr_ml__isnull=False, status=SessionStatus.SIGNED
        ).exists()
        if not has_pvr:
            checks.append(
                BookingCheck(
                    FLAG,
                    "bladder.pvr_missing",
                    "No post-void residual is on record: allow time to measure the PVR "
                    "(bladder scan) at this visit, before treating.",
                    "DOMAIN §10 rule 26; S21; S22",
                )
            )
    return checks
