"""Reading intake questionnaires: a patient's, the latest answers to carry forward, the
summary the patient page shows, those awaiting a clinical review, and the allergies and
contraindications the patient banner shows clinical roles (with the reactions recorded in
treatments: treatments.selectors.patient_banner)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.timesince import timesince

from clinic.listing import Capped, CappedRead
from clinic.prepared import Prepared
from patients.choices import YesNoNotApplicable
from patients.models import (
    IntakeQuestionnaire,
    Patient,
    PriorTreatment,
)


def _prior_treatments() -> Prefetch:
    return Prefetch(
        "prior_treatments",
        queryset=PriorTreatment.objects.select_related("product", "indication"),
    )


def questionnaire_list_for_patient(
    *, patient: Patient, prior_treatments_of_latest_only: bool = False
) -> list[IntakeQuestionnaire]:
    """A patient's questionnaires, newest first, with their prior treatments (only the
    newest one's when the page shows only that one in full: the patient page, which
    also builds the banner's screening line from the same list)."""
    questionnaires = list(
        IntakeQuestionnaire.objects.filter(patient=patient)
        .select_related("entered_by", "reviewed_by")
        .order_by("-completed_on", "-id")
    )
    prefetched = questionnaires[:1] if prior_treatments_of_latest_only else questionnaires
    prefetch_related_objects(prefetched, _prior_treatments())
    return questionnaires


QUESTIONNAIRE_CARRIED_FIELDS = (
    "allergy_details",
    "neuromuscular_details",
    "current_medications",
)


def questionnaire_initial_from_latest(*, patient: Patient) -> dict:
    """Free-text details from the last questionnaire, to be confirmed again (clinical roles
    only). Yes/no answers are never carried over: each must be asked afresh."""
    latest = (
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values(*QUESTIONNAIRE_CARRIED_FIELDS)
        .first()
    )
    return latest or {}


def questionnaire_get_for_patient(*, patient: Patient, pk: int) -> IntakeQuestionnaire:
    return get_object_or_404(IntakeQuestionnaire, patient=patient, pk=pk)


@dataclass(frozen=True)
class QuestionnaireSummary:
    """What reception may see: that a questionnaire exists and whether it was reviewed."""

    count: int
    latest_on: date | None
    latest_reviewed: bool


def questionnaire_summary(*, patient: Patient) -> QuestionnaireSummary:
    rows = list(
        IntakeQuestionnaire.objects.filter(patient=patient)
        .order_by("-completed_on", "-id")
        .values_list("completed_on", "reviewed_at")
    )
    if not rows:
        return QuestionnaireSummary(count=0, latest_on=None, latest_reviewed=False)
    latest_on, reviewed_at = rows[0]
    return QuestionnaireSummary(
        count=len(rows), latest_on=latest_on, latest_reviewed=reviewed_at is not None
    )


_AWAITING_REVIEW = CappedRead(  # the home page's card (clinic.listing.CappedRead)
    lambda: (
        IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True, patient__status="active")
        .select_related("patient", "entered_by")
        .order_by("completed_on", "id")
    )
)


def questionnaire_list_awaiting_review(*, limit: int = 10) -> Capped:
    """The oldest `limit` questionnaires awaiting a clinical review, and how many in all."""
    return _AWAITING_REVIEW(limit=limit)


def questionnaire_awaiting_review_count() -> int:
    return IntakeQuestionnaire.objects.filter(reviewed_at__isnull=True).count()


# The banner's short names for the screening answers that need a clinician's attention
# (DOMAIN §6.3), in question order; the allergies (Q1, Q2) are shown on their own line.
BANNER_ALLERGIES = {
    "allergy_toxin_or_albumin": "Botulinum toxin or human albumin",
    "allergy_cows_milk_protein": "Cow's milk protein",
}
BANNER_CONTRAINDICATIONS = {
    "infection_at_sites": "Infection or inflammation at the injection sites",
    "neuromuscular_disorder": "Nerve or muscle disease",
    "swallowing_or_breathing_problems": "Swallowing or breathing problems",
    "pregnant_or_breastfeeding": "Pregnant, trying to conceive or breastfeeding",
    "bleeding_risk": "Blood thinners or a bleeding disorder",
    "interacting_medicines": "Interacting medicines (aminoglycosides, relaxants, anticholinergics)",
    # Answered for the 4 months before the questionnaire's date, not today's.
    "toxin_in_last_4_months": "Toxin elsewhere in the 4 months before the questionnaire",
    "previous_poor_response": "Little or no effect from toxin before",
    "facial_surgery_fillers_or_asymmetry": "Facial surgery, fillers or asymmetry",
    "urinary_infection": "Urinary infection",
    "urinary_retention": "Urinary retention",
    "heart_disease": "Heart disease",
}


@dataclass(frozen=True)
class ScreeningBanner:
    """What the patient banner shows clinical roles (issue 13.18): the allergies and
    contraindications of the latest reviewed questionnaire. `reviewed_on` is None when no
    questionnaire was reviewed: then `awaiting_review_on` says whether one waits for a
    review, or the patient has not completed one at all."""

    reviewed_on: date | None = None
    allergies: tuple[str, ...] = ()
    contraindications: tuple[str, ...] = ()
    awaiting_review_on: date | None = None  # the newest unreviewed one, if newer
    # The three answers below are the reviewed questionnaire's, or "yes" in a newer one not
    # reviewed yet (_PRODUCT_MARKS): they mark the new-session page's products.
    # Rule 23's answer, for the products that contain it (the new-session page's list).
    cows_milk_protein_allergy: bool = False
    # Rule 21's answer: every toxin product is contraindicated (the same list).
    toxin_or_albumin_allergy: bool = False
    # Rule 24's answer: the aesthetic products are contraindicated for cosmetic use.
    neuromuscular_disorder: bool = False

    @property
    def completed(self) -> bool:
        return self.reviewed_on is not None or self.awaiting_review_on is not None

    @property
    def answered_ago(self) -> str:
        """How long ago the reviewed questionnaire was answered ("today", "3 years, 11
        months ago"): the banner says it, so that old answers are not read as today's
        (browser review 07/12/2026)."""
        if self.reviewed_on is None:
            return ""
        today = timezone.localdate()
        if self.reviewed_on >= today:
            return "today"
        return f"{timesince(self.reviewed_on, today)} ago"


BANNER_FIELDS = (
    "completed_on",
    "reviewed_at",
    "allergy_details",
    "neuromuscular_details",
    *BANNER_ALLERGIES,
    *BANNER_CONTRAINDICATIONS,
)


def _banner_questionnaires(patient_id: int):
    return (
        IntakeQuestionnaire.objects.filter(patient_id=patient_id)
        .order_by()
        .values_list("id", *BANNER_FIELDS)
    )


# The banner's read, compiled once per process (clinic.prepared): the banner is on every
# page of a patient. Read on its own, or side by side with the reactions recorded in
# treatments (treatments.selectors.patient_banner), in one query.
BANNER_QUESTIONNAIRES = Prepared(_banner_questionnaires, patient_id=(-1001, -1002))
BANNER_COLUMNS = 1 + len(BANNER_FIELDS)


def questionnaire_banner_from_rows(rows: Iterable[tuple]) -> ScreeningBanner:
    """The banner's screening line from BANNER_QUESTIONNAIRES' rows (converted), in any
    order: a patient has a handful of questionnaires."""
    newest_first = sorted(rows, key=lambda row: (row[1], row[0]), reverse=True)
    return questionnaire_banner_from(
        SimpleNamespace(**dict(zip(BANNER_FIELDS, row[1:], strict=True))) for row in newest_first
    )


# The answers that mark products the patient must not have (the new-session page), read
# from every questionnaire newer than the reviewed one too: the engine reads the newest
# answers, reviewed or not, and a newer "yes" not yet reviewed left the list offering
# what the editor then blocked (code review 07/12/2026). Shown answers stay the reviewed.
_PRODUCT_MARKS = {
    "cows_milk_protein_allergy": "allergy_cows_milk_protein",
    "toxin_or_albumin_allergy": "allergy_toxin_or_albumin",
    "neuromuscular_disorder": "neuromuscular_disorder",
}


def questionnaire_banner_from(questionnaires: Iterable) -> ScreeningBanner:
    """The banner's screening line from a patient's questionnaires, newest first (pages
    that list the questionnaires pass their list)."""
    newest_unreviewed = None
    newer_yes: set[str] = set()  # _PRODUCT_MARKS answered yes in a newer, unreviewed one
    for questionnaire in questionnaires:
        if questionnaire.reviewed_at is None:
            newest_unreviewed = newest_unreviewed or questionnaire.completed_on
            newer_yes |= {mark for mark, f in _PRODUCT_MARKS.items() if getattr(questionnaire, f)}
            continue
        # A ticked allergy that the details begin with ("Cow's milk protein: hives") is
        # said once, in the details (practitioner review 07/12/2026: it read twice); one
        # merely mentioned ("Not cow's milk protein, ...") is still said.
        details = questionnaire.allergy_details.strip()
        allergies = [
            label
            for name, label in BANNER_ALLERGIES.items()
            if getattr(questionnaire, name) and not details.casefold().startswith(label.casefold())
        ]
        if details:
            allergies.append(details)
        contraindications = [
            label
            for name, label in BANNER_CONTRAINDICATIONS.items()
            if (answer := getattr(questionnaire, name)) is True or answer == YesNoNotApplicable.YES
        ]
        details = questionnaire.neuromuscular_details.strip()
        if questionnaire.neuromuscular_disorder and details:
            index = contraindications.index(BANNER_CONTRAINDICATIONS["neuromuscular_disorder"])
            contraindications[index] += f" ({details})"
        return ScreeningBanner(
            reviewed_on=questionnaire.completed_on,
            allergies=tuple(allergies),
            contraindications=tuple(contraindications),
            awaiting_review_on=newest_unreviewed,
            **{
                mark: bool(getattr(questionnaire, field)) or mark in newer_yes
                for mark, field in _PRODUCT_MARKS.items()
            },
        )
    return ScreeningBanner(awaiting_review_on=newest_unreviewed, **dict.fromkeys(newer_yes, True))
